const TONES = {
  gray: "bg-slate-100 text-slate-700 ring-slate-300",
  blue: "bg-blue-50 text-blue-800 ring-blue-200",
  green: "bg-green-50 text-green-800 ring-green-200",
  yellow: "bg-amber-50 text-amber-800 ring-amber-200",
  red: "bg-red-50 text-red-800 ring-red-200",
  purple: "bg-purple-50 text-purple-800 ring-purple-200",
} as const;

export type Tone = keyof typeof TONES;

const STATUS_TONES: Record<string, Tone> = {
  pending: "gray",
  running: "blue",
  retrying: "yellow",
  completed: "green",
  failed: "red",
  cancelled: "purple",
  open: "red",
  investigating: "yellow",
  resolved: "green",
  closed: "gray",
  active: "blue",
  inactive: "gray",
  silenced: "gray",
  healthy: "green",
  unhealthy: "red",
  critical: "red",
  high: "yellow",
  medium: "blue",
  normal: "gray",
  low: "gray",
};

export function Badge({ children, tone = "gray" }: { children: string; tone?: Tone }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}

/** A badge coloured by a status / severity / priority word. */
export function StatusBadge({ value }: { value: string }) {
  return <Badge tone={STATUS_TONES[value] ?? "gray"}>{value}</Badge>;
}

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

export function levelTone(level: string): Tone {
  return LEVEL_TONES[level.toLowerCase()] ?? "gray";
}

/** An event's level shown as itself ("info", "error"), never as a task status. */
export function LevelBadge({ level }: { level: string }) {
  return <Badge tone={levelTone(level)}>{level}</Badge>;
}
