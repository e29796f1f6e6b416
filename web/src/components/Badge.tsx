import { levelTone, statusTone, type Tone } from "../lib/statusColors";

export { levelTone };

const TONES: Record<Tone, string> = {
  gray: "bg-slate-100 text-slate-700 ring-slate-300",
  blue: "bg-blue-50 text-blue-800 ring-blue-200",
  green: "bg-green-50 text-green-800 ring-green-200",
  yellow: "bg-amber-50 text-amber-800 ring-amber-200",
  red: "bg-red-50 text-red-800 ring-red-200",
  purple: "bg-purple-50 text-purple-800 ring-purple-200",
  brand: "bg-brand-50 text-brand-700 ring-brand-500/40",
};

export type { Tone };

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
  return <Badge tone={statusTone(value)}>{value}</Badge>;
}

/** An event's level shown as itself ("info", "error"), never as a task status. */
export function LevelBadge({ level }: { level: string }) {
  return <Badge tone={levelTone(level)}>{level}</Badge>;
}
