/** Ready-made rules, and the rule's current value computed by the server before it is saved. */
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "../../api/errors";
import { Badge } from "../../components/Badge";
import { unwrap } from "../../api/client";
import { loose } from "../../lib/listing";
import { useDebounced } from "../../lib/useDebounced";
import { queryKeys } from "../../lib/queryKeys";

export interface Preset {
  label: string;
  name: string;
  description: string;
  query: string;
}

// A failing task leaves an error-level event from the `tasks` source, so a window over failures is an events rule.
export const PRESETS: readonly Preset[] = [
  {
    label: "Error events > 10 in 5 min",
    name: "Error burst",
    description: "More than 10 error events within 5 minutes.",
    query: "events level=error count over 5m > 10",
  },
  {
    label: "Failed tasks > 5 in 15 min",
    name: "Tasks failing",
    description: "More than 5 tasks failed within 15 minutes.",
    query: "events source=tasks level=error count over 15m > 5",
  },
  {
    label: "Pending tasks > 100",
    name: "Queue backlog",
    description: "More than 100 tasks are waiting.",
    query: "tasks pending count > 100",
  },
  {
    label: "A task waits > 10 min",
    name: "Queue stalled",
    description: "A pending task has waited longer than 10 minutes.",
    query: "tasks pending count older than 10m > 0",
  },
];

export function PresetPicker({ onPick }: { onPick: (preset: Preset) => void }) {
  return (
    <div role="group" aria-label="Presets" className="flex flex-wrap gap-2">
      {PRESETS.map((preset) => (
        <button
          key={preset.label}
          type="button"
          onClick={() => onPick(preset)}
          className="rounded-full border border-slate-300 bg-white px-3 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100"
        >
          {preset.label}
        </button>
      ))}
    </div>
  );
}

interface Preview {
  value: number | null;
  would_fire: boolean;
}

function fetchPreview(query: string, threshold_value: number | null): Promise<Preview> {
  return unwrap(loose.POST<Preview>("/monitoring/alerts/preview", { body: { query, threshold_value } }));
}

/** Live while the rule is typed (debounced); a rule the server cannot parse shows its message. */
export function RulePreview({ query, threshold }: { query: string; threshold: number | null }) {
  const rule = useDebounced({ query: query.trim(), threshold }, 500);
  const preview = useQuery({
    queryKey: queryKeys.monitoring.alertPreview(rule),
    queryFn: () => fetchPreview(rule.query, rule.threshold),
    enabled: rule.query !== "",
    retry: false,
    refetchInterval: 15_000,
  });
  if (rule.query === "") return null;
  const unavailable =
    preview.error instanceof ApiError && (preview.error.status === 404 || preview.error.status === 405);
  if (unavailable) return null;
  return (
    <div
      aria-live="polite"
      className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm"
      data-testid="alert-preview"
    >
      {preview.isPending ? <span className="text-slate-500">Evaluating the rule…</span> : null}
      {preview.error ? <span className="text-red-800">{preview.error.message}</span> : null}
      {preview.data ? (
        <span className="flex flex-wrap items-center gap-2">
          <span>
            Current value:{" "}
            <strong>{preview.data.value === null ? "no data" : preview.data.value.toLocaleString("en-US")}</strong>
          </span>
          {preview.data.would_fire ? (
            <Badge tone="red">would fire now</Badge>
          ) : (
            <Badge tone="green">would not fire now</Badge>
          )}
        </span>
      ) : null}
    </div>
  );
}
