/** Cancel / retry / delete, shared by the task table, the detail page and the dead-letter queue. */
import { api, unwrapWithMessage } from "../../api/client";
import type { Task } from "../../api/types";
import { Button } from "../../components/Button";
import { useConfirm } from "../../components/Confirm";
import { useAction } from "../../lib/useAction";
import { queryKeys } from "../../lib/queryKeys";

export const CANCELLABLE = new Set(["pending", "retrying", "running"]);
export const DELETABLE = new Set(["completed", "failed", "cancelled"]);

type Verb = "cancel" | "retry" | "delete";

async function perform(verb: Verb, id: string): Promise<string> {
  const params = { params: { path: { id } } };
  const call =
    verb === "cancel"
      ? api.POST("/tasks/{id}/cancel", params)
      : verb === "retry"
        ? api.POST("/tasks/{id}/retry", params)
        : api.DELETE("/tasks/{id}", params);
  const { data, message } = await unwrapWithMessage(call);
  return message ?? data;
}

export function useTaskAction(onDone?: (verb: Verb, id: string) => void) {
  return useAction<{ verb: Verb; id: string }, string>({
    run: ({ verb, id }) => perform(verb, id),
    success: (message) => message,
    invalidate: [queryKeys.tasks.all],
    onDone: (_message, { verb, id }) => onDone?.(verb, id),
  });
}

/** The buttons that make sense for the task's current status. */
export function TaskActions({
  task,
  onDone,
  compact = false,
}: {
  task: Task;
  onDone?: (verb: Verb, id: string) => void;
  compact?: boolean;
}) {
  const action = useTaskAction(onDone);
  const confirm = useConfirm();
  const busy = (verb: Verb) => action.isPending && action.variables?.verb === verb;
  const size = compact ? "px-2 py-1 text-xs" : "";
  const label = (verb: string) => `${verb} task ${task.id.slice(0, 8)}`;
  return (
    <div className="flex flex-wrap gap-2">
      {CANCELLABLE.has(task.status) ? (
        <Button
          variant="secondary"
          className={size}
          aria-label={compact ? label("Cancel") : undefined}
          busy={busy("cancel")}
          onClick={() => action.mutate({ verb: "cancel", id: task.id })}
        >
          Cancel
        </Button>
      ) : null}
      {task.status === "failed" ? (
        <Button
          variant="secondary"
          className={size}
          aria-label={compact ? label("Retry") : undefined}
          busy={busy("retry")}
          onClick={() => action.mutate({ verb: "retry", id: task.id })}
        >
          Retry
        </Button>
      ) : null}
      {DELETABLE.has(task.status) ? (
        <Button
          variant="danger"
          className={size}
          aria-label={compact ? label("Delete") : undefined}
          busy={busy("delete")}
          onClick={() =>
            confirm.ask({
              title: `Delete task ${task.id.slice(0, 8)}?`,
              message: "The task and its result are removed permanently.",
              confirmLabel: "Delete",
              danger: true,
              onConfirm: () => action.mutate({ verb: "delete", id: task.id }),
            })
          }
        >
          Delete
        </Button>
      ) : null}
      {confirm.dialog}
    </div>
  );
}
