/**
 * The events tag filter `key:value[,key:value…]`, checked in the browser with the server's
 * rules so people see the problem before sending; the server's answer stays authoritative.
 */
const KEY = /^[\p{L}\p{N}_.-]+$/u;
const encoder = new TextEncoder();

export type TagFilter = { ok: true; pairs: Array<[string, string]>; query: string } | { ok: false; error: string };

export function parseTagFilter(input: string): TagFilter {
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  const parts = input
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (parts.length > 50) return { ok: false, error: "Too many tag pairs (maximum 50)" };
  for (const part of parts) {
    const colon = part.indexOf(":");
    if (colon < 0) return { ok: false, error: "Invalid tag format. Expected 'key:value' pairs separated by commas" };
    const key = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (key === "" || value === "") return { ok: false, error: "Tag keys and values cannot be empty" };
    if (encoder.encode(key).length > 100) return { ok: false, error: "Tag key too long (maximum 100 characters)" };
    if (encoder.encode(value).length > 500) return { ok: false, error: "Tag value too long (maximum 500 characters)" };
    if (!KEY.test(key))
      return { ok: false, error: "Tag keys must contain only alphanumeric characters, underscores, hyphens, and dots" };
    if (seen.has(key)) return { ok: false, error: "Duplicate tag keys are not allowed" };
    seen.add(key);
    pairs.push([key, value]);
  }
  return { ok: true, pairs, query: pairs.map(([key, value]) => `${key}:${value}`).join(",") };
}

/** `{a: "1", b: 2}` → `a:1, b:2` for display. */
export function formatTags(tags: Record<string, unknown> | null | undefined): string {
  if (!tags) return "";
  return Object.entries(tags)
    .map(([key, value]) => `${key}:${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}
