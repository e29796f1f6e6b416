/** Display helpers shared by the pages. */

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function relativeTime(value: string | null | undefined, now: number = Date.now()): string {
  if (!value) return "—";
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const [amount, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs < 60
      ? [seconds, "second"]
      : abs < 3600
        ? [Math.round(seconds / 60), "minute"]
        : abs < 86_400
          ? [Math.round(seconds / 3600), "hour"]
          : [Math.round(seconds / 86_400), "day"];
  return new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }).format(amount, unit);
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? "null";
}

/** Seconds between two timestamps, or null when either is missing. */
export function durationSeconds(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  return (new Date(to).getTime() - new Date(from).getTime()) / 1000;
}

/** A stored duration ({secs, nanos} or a plain number of seconds) in seconds, or null. */
export function durationValue(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (value && typeof value === "object") {
    const { secs, nanos } = value as { secs?: unknown; nanos?: unknown };
    if (typeof secs === "number") return secs + (typeof nanos === "number" ? nanos / 1e9 : 0);
  }
  return null;
}

function trim(value: number): string {
  return String(Number(value.toFixed(1)));
}

/** 0.5 → "500 ms", 1 → "1 s", 300 → "5 min", 5400 → "1.5 h", 172800 → "2 d". */
export function humanDuration(seconds: number): string {
  if (seconds < 1 && seconds > 0) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${trim(seconds)} s`;
  if (seconds < 3600) return `${trim(seconds / 60)} min`;
  if (seconds < 86_400) return `${trim(seconds / 3600)} h`;
  return `${trim(seconds / 86_400)} d`;
}

function attempts(count: unknown): string {
  return typeof count === "number" ? `${count} attempt${count === 1 ? "" : "s"}` : "";
}

function span(value: unknown): string {
  const seconds = durationValue(value);
  return seconds === null ? "?" : humanDuration(seconds);
}

/** A task's retry strategy as a person reads it: "exponential, 1 s → 5 min, 5 attempts". */
export function describeRetry(strategy: unknown): string {
  if (strategy === "none") return "no retries";
  if (!strategy || typeof strategy !== "object") return "default";
  const entries = Object.entries(strategy as Record<string, unknown>);
  if (entries.length === 0) return "default";
  const [kind, raw] = entries[0] as [string, unknown];
  const spec = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const parts = (() => {
    switch (kind) {
      case "exponential":
        return ["exponential", `${span(spec.base_delay)} → ${span(spec.max_delay)}`, attempts(spec.max_attempts)];
      case "linear":
        return [
          "linear",
          `${span(spec.base_delay)} + ${span(spec.increment)} each → ${span(spec.max_delay)}`,
          attempts(spec.max_attempts),
        ];
      case "fixed":
        return ["fixed", `every ${span(spec.interval)}`, attempts(spec.max_attempts)];
      case "none":
        return ["no retries"];
      default:
        return [JSON.stringify(strategy)];
    }
  })();
  return parts.filter(Boolean).join(", ");
}
