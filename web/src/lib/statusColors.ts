/**
 * One colour scheme for statuses, severities and event levels: badges take the tone, charts
 * take the tone's colour, so "completed" is the same green in a badge and in a chart.
 */
export type Tone = "gray" | "blue" | "green" | "yellow" | "red" | "purple" | "brand";

/** Chart colours per tone (Tailwind's 600 shades; gray is slate-500 for contrast on white). */
export const TONE_HEX: Record<Tone, string> = {
  gray: "#64748b",
  blue: "#2563eb",
  green: "#16a34a",
  yellow: "#d97706",
  red: "#dc2626",
  purple: "#9333ea",
  brand: "#4f46e5",
};

const STATUS_TONES: Record<string, Tone> = {
  pending: "gray",
  running: "blue",
  retrying: "yellow",
  completed: "green",
  failed: "red",
  cancelled: "purple",
  created: "brand",
  open: "red",
  investigating: "yellow",
  resolved: "green",
  closed: "gray",
  active: "blue",
  inactive: "gray",
  silenced: "gray",
  firing: "red",
  healthy: "green",
  unhealthy: "red",
  critical: "red",
  high: "yellow",
  medium: "blue",
  normal: "gray",
  low: "gray",
};

/** Log levels are free text; the usual words get their colour, anything else stays grey. */
const LEVEL_TONES: Record<string, Tone> = {
  trace: "gray",
  debug: "gray",
  info: "blue",
  notice: "blue",
  warn: "yellow",
  warning: "yellow",
  error: "red",
  critical: "red",
  fatal: "red",
};

export function statusTone(value: string): Tone {
  return STATUS_TONES[value] ?? "gray";
}

export function levelTone(level: string): Tone {
  return LEVEL_TONES[level.toLowerCase()] ?? "gray";
}

export function statusColor(value: string): string {
  return TONE_HEX[statusTone(value)];
}

export function levelColor(level: string): string {
  return TONE_HEX[levelTone(level)];
}

/** Colours for series that are not statuses (metric names, task types), in a fixed order. */
export const SERIES_HEX: readonly string[] = [
  TONE_HEX.brand,
  TONE_HEX.blue,
  TONE_HEX.green,
  TONE_HEX.yellow,
  TONE_HEX.red,
  TONE_HEX.purple,
  TONE_HEX.gray,
];
