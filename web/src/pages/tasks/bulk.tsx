/** Row selection and bulk retry / cancel / delete over the task lists. */
import { useCallback, useMemo, useState } from "react";
import { Button } from "../../components/Button";
import { useConfirm } from "../../components/Confirm";
import { shortId } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { bulkTasks, type BulkAction, type BulkFilter, type BulkResult } from "./tasksApi";
import { queryKeys } from "../../lib/queryKeys";

const PAST: Record<BulkAction, string> = { retry: "retried", cancel: "cancelled", delete: "deleted" };
const OUTCOME_WORDS: Record<string, string> = { not_found: "not found", invalid_state: "not in a state for this" };
const NAMED = 3;

/** "12 retried, 1 skipped: 3f2a9c1e (not found)". */
export function bulkSummary(action: BulkAction, result: BulkResult): string {
  const done = `${result.succeeded.toLocaleString("en-US")} ${PAST[action]}`;
  if (result.failed === 0) return done;
  const skipped = result.results.filter((row) => row.outcome !== "ok");
  const named = skipped
    .slice(0, NAMED)
    .map((row) => `${shortId(row.id)} (${row.message ?? OUTCOME_WORDS[row.outcome] ?? row.outcome})`);
  const more =
    result.failed > named.length ? ` and ${(result.failed - named.length).toLocaleString("en-US")} more` : "";
  return `${done}, ${result.failed.toLocaleString("en-US")} skipped: ${named.join("; ")}${more}`;
}

/** The ids ticked in a table (the table's own checkbox column); cleared after a bulk action. */
export function useSelection() {
  const [selected, setSelected] = useState<string[]>([]);
  const clear = useCallback(() => setSelected([]), []);
  return useMemo(() => ({ selected, set: setSelected, clear }), [selected, clear]);
}

export type Selection = ReturnType<typeof useSelection>;

type Target = { ids: string[] } | { filter: BulkFilter };

export function useBulkAction(onDone?: () => void) {
  return useAction<{ action: BulkAction; target: Target }, BulkResult>({
    run: ({ action, target }) => bulkTasks(action, target),
    success: (result, { action }) => bulkSummary(action, result),
    invalidate: [queryKeys.tasks.all],
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

/** The bar over a task table: how many rows are ticked, and the bulk verbs for them. */
export function BulkBar({ selection, actions }: { selection: Selection; actions: readonly BulkAction[] }) {
  const confirm = useConfirm();
  const bulk = useBulkAction(selection.clear);
  const count = selection.selected.length;
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
      <span aria-live="polite">{count === 0 ? "None selected" : `${count} selected`}</span>
      {actions.map((action) => (
        <Button
          key={action}
          variant={action === "delete" ? "danger" : "secondary"}
          className="px-2 py-1 text-xs"
          disabled={count === 0}
          busy={bulk.isPending && bulk.variables?.action === action}
          onClick={() => ask(action)}
        >
          {ACTION_LABELS[action]} selected
        </Button>
      ))}
      {confirm.dialog}
    </div>
  );
}
