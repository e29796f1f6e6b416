/** Parse JSON typed by a person, with a message that says where it went wrong. */
export type JsonResult = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): JsonResult {
  if (text.trim() === "") return { ok: false, error: "Enter a JSON value (use null for none)." };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `Invalid JSON: ${detail}` };
  }
}

/** A JSON object (not an array or scalar), e.g. for tags, labels and event payloads. */
export function parseJsonObject(
  text: string,
  what: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, error: `${what} must be a JSON object.` };
  return { ok: true, value: value as Record<string, unknown> };
}
