/** Each attempt of a task: when it ran, how it ended, and the handler's traceback when it failed. */
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "../../api/errors";
import { StatusBadge } from "../../components/Badge";
import { Card, ErrorNotice, Loading } from "../../components/Layout";
import { durationSeconds, formatDateTime, humanDuration } from "../../lib/format";
import { fetchAttempts, type Attempt } from "./tasksApi";
import { queryKeys } from "../../lib/queryKeys";

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const took = durationSeconds(attempt.started_at, attempt.finished_at);
  return (
    <li className="relative border-l-2 border-slate-200 pb-4 pl-4 last:pb-0" data-testid="attempt">
      <span
        aria-hidden="true"
        className="absolute -left-[7px] top-1 h-3 w-3 rounded-full border-2 border-white bg-slate-400"
      />
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium">Attempt {attempt.attempt}</span>
        <StatusBadge value={attempt.outcome} />
        <span className="text-xs text-slate-500">
          {formatDateTime(attempt.started_at)}
          {took === null ? "" : ` · ${humanDuration(took)}`}
        </span>
      </div>
      {attempt.error ? <p className="mt-1 break-words text-sm text-red-800">{attempt.error}</p> : null}
      {attempt.traceback ? (
        <details className="mt-1">
          <summary className="cursor-pointer text-xs font-medium text-slate-600">Traceback</summary>
          <pre
            className="mt-1 max-h-80 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100"
            role="region"
            tabIndex={0}
            aria-label={`Traceback of attempt ${attempt.attempt}`}
          >
            {attempt.traceback}
          </pre>
        </details>
      ) : null}
    </li>
  );
}

export function AttemptTimeline({ taskId, status }: { taskId: string; status: string }) {
  // The status is part of the key: a finished or retried task refetches its history.
  const attempts = useQuery({
    queryKey: queryKeys.tasks.attempts(taskId, status),
    queryFn: () => fetchAttempts(taskId),
  });
  const unsupported = attempts.error instanceof ApiError && attempts.error.status === 404;
  return (
    <Card title="Attempts">
      {attempts.isPending ? <Loading label="Loading attempts…" /> : null}
      {attempts.error && !unsupported ? <ErrorNotice error={attempts.error} /> : null}
      {unsupported ? <p className="text-sm text-slate-500">This server keeps no attempt history.</p> : null}
      {attempts.data && attempts.data.length === 0 ? <p className="text-sm text-slate-500">Not started yet.</p> : null}
      {attempts.data && attempts.data.length > 0 ? (
        <ol aria-label="Attempt timeline" className="ml-1.5">
          {attempts.data.map((attempt) => (
            <AttemptItem key={attempt.attempt} attempt={attempt} />
          ))}
        </ol>
      ) : null}
    </Card>
  );
}
