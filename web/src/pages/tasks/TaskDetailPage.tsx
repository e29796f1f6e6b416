import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { api, API_BASE, unwrap } from "../../api/client";
import type { Task } from "../../api/types";
import { StatusBadge } from "../../components/Badge";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { describeRetry, durationSeconds, formatDateTime, prettyJson } from "../../lib/format";
import { useFallbackInterval } from "../../live/LiveUpdates";
import { AttemptTimeline } from "./AttemptTimeline";
import { TaskActions } from "./taskActions";
import { queryKeys } from "../../lib/queryKeys";

const ACTIVE = new Set(["pending", "running", "retrying"]);

/** Report tasks store a downloadable artifact; their result says so. */
export function hasArtifact(task: Task): boolean {
  const result = task.result as { download_url?: unknown; artifacts?: unknown } | null | undefined;
  return (
    task.status === "completed" &&
    !!result &&
    typeof result === "object" &&
    (typeof result.download_url === "string" || Array.isArray(result.artifacts))
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 break-words text-sm">{children}</dd>
    </div>
  );
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    // The card is the named region; the block is focusable so a keyboard can scroll it.
    <Card title={label}>
      <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100" tabIndex={0}>
        {prettyJson(value)}
      </pre>
    </Card>
  );
}

export function TaskDetailPage() {
  const { taskId } = useParams({ from: "/admin/tasks/$taskId" });
  const navigate = useNavigate();
  const fallback = useFallbackInterval(3_000);
  const task = useQuery({
    queryKey: queryKeys.tasks.detail(taskId),
    queryFn: () => unwrap(api.GET("/tasks/{id}", { params: { path: { id: taskId } } })),
    // Without the live stream, keep an unfinished task fresh by polling.
    refetchInterval: (query) => (query.state.data && ACTIVE.has(query.state.data.status) ? fallback : false),
  });

  if (task.isPending) return <Loading />;
  if (task.error) return <ErrorNotice error={task.error} />;
  const t = task.data;
  const runtime = durationSeconds(t.started_at, t.completed_at);

  return (
    <>
      <PageHeader
        title={`Task ${t.id.slice(0, 8)}`}
        description={t.task_type}
        actions={
          <TaskActions
            task={t}
            onDone={(verb) => (verb === "delete" ? void navigate({ to: "/admin/tasks" }) : undefined)}
          />
        }
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Summary" className="lg:col-span-1">
          <dl className="grid grid-cols-2 gap-3">
            <Field label="Status">
              <span data-testid="task-status">
                <StatusBadge value={t.status} />
              </span>
            </Field>
            <Field label="Priority">
              <StatusBadge value={t.priority} />
            </Field>
            <Field label="Attempts">
              {t.current_attempt} of {t.max_attempts}
            </Field>
            <Field label="Retry strategy">
              <span data-testid="retry-strategy">{describeRetry(t.retry_strategy)}</span>
            </Field>
            <Field label="Run time">{runtime === null ? "—" : `${runtime.toFixed(2)} s`}</Field>
            <Field label="Created">{formatDateTime(t.created_at)}</Field>
            <Field label="Scheduled">{formatDateTime(t.scheduled_at)}</Field>
            <Field label="Started">{formatDateTime(t.started_at)}</Field>
            <Field label="Finished">{formatDateTime(t.completed_at)}</Field>
            <Field label="Updated">{formatDateTime(t.updated_at)}</Field>
            <Field label="Id">
              <span className="font-mono text-xs">{t.id}</span>
            </Field>
          </dl>
          {t.last_error ? (
            <div role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
              <p className="font-medium">Last error</p>
              <p className="break-words" data-testid="task-error">
                {t.last_error}
              </p>
            </div>
          ) : null}
          {hasArtifact(t) ? (
            <a
              href={`${API_BASE}/tasks/${t.id}/artifact`}
              download
              className="mt-4 inline-flex rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700"
            >
              Download artifact
            </a>
          ) : null}
        </Card>
        <div className="flex min-w-0 flex-col gap-4 lg:col-span-2">
          <AttemptTimeline taskId={t.id} status={t.status} />
          <JsonBlock label="Payload" value={t.payload} />
          <div data-testid="task-result">
            <JsonBlock label="Result" value={t.result ?? null} />
          </div>
          <JsonBlock label="Metadata" value={t.metadata} />
        </div>
      </div>
      <p className="mt-6 text-sm">
        <Link to="/admin/tasks" className="text-brand-700 underline">
          ← All tasks
        </Link>
      </p>
    </>
  );
}
