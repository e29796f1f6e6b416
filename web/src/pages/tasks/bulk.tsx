/** Row selection and bulk retry / cancel / delete over the task lists. */
import { useCallback, useMemo, useState } from "react";
import { Button } from "../../components/Button";
import { useConfirm } from "../../components/Confirm";
import { shortId } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { bulkTasks, type BulkAction, type BulkFilter, type BulkResult } from "./tasksApi";

const PAST: Record<BulkAction, string> = { retry: "retried", cancel: "cancelled", delete: "deleted" };
const OUTCOME_WORDS: Record<string, string> = { not_found: "not found", invalid_state: "not in a state for this" };
const NAMED = 3;

/** "12 retried, 1 skipped: 3f2a9c1e (not found)". */
export function bulkSummary(action: BulkAction, result: BulkResult): string {
  const done = `${result.succeeded.toLocaleString("en-US")} ${PAST[action]}`;
  if (result.failed === 0) return done;
  const skipped = result.results.filter((row) => row.outcome !== "ok");
  const named = skipped.slice(0, NAMED).map((row) => `${shortId(row.id)} (${row.message ?? OUTCOME_WORDS[row.outcome] ?? row.outcome})`);
  const more = result.failed > named.length ? ` and ${(result.failed - named.length).toLocaleString("en-US")} more` : "";
  return `${done}, ${result.failed.toLocaleString("en-US")} skipped: ${named.join("; ")}${more}`;
}

export function useSelection(visibleIds: readonly string[]) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback(
    (id: string) =>
      setSelected((current) => {
        const next = new Set(current);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const allShown = visibleIds.length > 0 && visibleIds.every((id) => selected.has(id));
  const toggleAll = useCallback(() => setSelected(allShown ? new Set() : new Set(visibleIds)), [allShown, visibleIds]);
  const clear = useCallback(() => setSelected(new Set()), []);
  return useMemo(() => ({ selected, toggle, toggleAll, allShown, clear }), [selected, toggle, toggleAll, allShown, clear]);
}

export type Selection = ReturnType<typeof useSelection>;

export function SelectBox({ selection, id }: { selection: Selection; id: string }) {
  return <input type="checkbox" aria-label={`Select task ${shortId(id)}`} checked={selection.selected.has(id)} onChange={() => selection.toggle(id)} className="h-4 w-4" />;
}

type Target = { ids: string[] } | { filter: BulkFilter };

export function useBulkAction(onDone?: () => void) {
  return useAction<{ action: BulkAction; target: Target }, BulkResult>({
    run: ({ action, target }) => bulkTasks(action, target),
    success: (result, { action }) => bulkSummary(action, result),
    invalidate: [["tasks"]],
    onDone: () => onDone?.(),
  });
}

const ACTION_LABELS: Record<BulkAction, string> = { retry: "Retry", cancel: "Cancel", delete: "Delete" };
// The dialog's own dismiss button is "Cancel", so cancelling tasks says what it cancels.
const CONFIRM_LABELS: Record<BulkAction, string> = { retry: "Retry", cancel: "Cancel tasks", delete: "Delete" };
const ACTION_NOTES: Record<BulkAction, string> = {
  retry: "Failed tasks go back to pending with fresh attempts; the others are skipped.",
  cancel: "Pending, retrying and running tasks stop; finished ones are skipped.",
  delete: "Finished tasks and their results are removed permanently; unfinished ones are skipped.",
};

/** The bar over a task table: select all shown, and the bulk verbs for the chosen rows. */
export function BulkBar({ selection, actions, shown }: { selection: Selection; actions: readonly BulkAction[]; shown: number }) {
  const confirm = useConfirm();
  const bulk = useBulkAction(selection.clear);
  const count = selection.selected.size;
  const ask = (action: BulkAction) =>
    confirm.ask({
      title: `${ACTION_LABELS[action]} ${count} task${count === 1 ? "" : "s"}?`,
      message: ACTION_NOTES[action],
      confirmLabel: CONFIRM_LABELS[action],
      danger: action !== "retry",
      onConfirm: () => bulk.mutate({ action, target: { ids: [...selection.selected] } }),
    });
  return (
    <div className="mb-2 flex flex-wrap items-center gap-3 text-sm" data-testid="bulk-bar">
      <label className="inline-flex items-center gap-2">
        <input type="checkbox" checked={selection.allShown} disabled={shown === 0} onChange={selection.toggleAll} className="h-4 w-4" />
        Select all shown
      </label>
      <span aria-live="polite">{count === 0 ? "None selected" : `${count} selected`}</span>
      {actions.map((action) => (
        <Button key={action} variant={action === "delete" ? "danger" : "secondary"} className="px-2 py-1 text-xs" disabled={count === 0} busy={bulk.isPending && bulk.variables?.action === action} onClick={() => ask(action)}>
          {ACTION_LABELS[action]} selected
        </Button>
      ))}
      {confirm.dialog}
    </div>
  );
}
