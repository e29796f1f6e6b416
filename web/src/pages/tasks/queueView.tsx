/** The queue's figures (depth, waiting, throughput, workers), shared by the Queue page and the dashboard. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense } from "react";
import { Card, StatCard } from "../../components/Layout";
import type { BucketRow } from "../../components/SeriesChart";
import { Table, type Column } from "../../components/Table";
import { humanDuration, relativeTime, shortId } from "../../lib/format";
import { statusColor } from "../../lib/statusColors";
import { useFallbackInterval } from "../../live/LiveUpdates";
import {
  fetchQueueMetrics,
  METRIC_WINDOWS,
  type MetricBucket,
  type MetricWindow,
  type QueueMetrics,
  type TypeMetrics,
  type WorkerMetrics,
} from "./tasksApi";
import { queryKeys } from "../../lib/queryKeys";

const SeriesChart = lazy(() =>
  import("../../components/SeriesChart").then((module) => ({ default: module.SeriesChart })),
);

const WINDOW_WORDS: Record<MetricWindow, string> = {
  "1h": "the last hour",
  "24h": "the last 24 hours",
  "7d": "the last 7 days",
};

export function useQueueMetrics(window: MetricWindow) {
  return useQuery({
    queryKey: queryKeys.tasks.metrics(window),
    queryFn: () => fetchQueueMetrics(window),
    refetchInterval: useFallbackInterval(15_000),
  });
}

export function WindowPicker({ value, onChange }: { value: MetricWindow; onChange: (window: MetricWindow) => void }) {
  return (
    <div
      role="group"
      aria-label="Time window"
      className="inline-flex overflow-hidden rounded-md border border-slate-300 text-sm"
    >
      {METRIC_WINDOWS.map((window) => (
        <button
          key={window}
          type="button"
          aria-pressed={window === value}
          onClick={() => onChange(window)}
          className={`px-3 py-1.5 font-medium ${window === value ? "bg-brand-600 text-white" : "bg-white text-slate-700 hover:bg-slate-100"}`}
        >
          {window}
        </button>
      ))}
    </div>
  );
}

export function millis(value: number | null): string {
  return value === null ? "—" : humanDuration(value / 1000);
}

export function age(seconds: number | null): string {
  return seconds === null ? "—" : humanDuration(seconds);
}

export function percent(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(rate < 0.1 && rate > 0 ? 1 : 0)}%`;
}

/** Bucket labels: minutes within an hour, hours within a day, weekday and hour across days. */
export function bucketRows(buckets: readonly MetricBucket[], window: MetricWindow): BucketRow[] {
  return buckets.map((bucket) => {
    const at = new Date(bucket.start);
    const time = at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    const label = window === "7d" ? `${at.toLocaleDateString("en-GB", { weekday: "short" })} ${time}` : time;
    return { label, created: bucket.created, completed: bucket.completed, failed: bucket.failed };
  });
}

export function totals(metrics: QueueMetrics) {
  const sum = (pick: (type: TypeMetrics) => number) => metrics.types.reduce((total, type) => total + pick(type), 0);
  const ages = metrics.types
    .map((type) => type.oldest_pending_age_seconds)
    .filter((value): value is number => value !== null);
  const created = metrics.buckets.reduce((total, bucket) => total + bucket.created, 0);
  return {
    pending: sum((type) => type.pending),
    running: sum((type) => type.running),
    oldest: ages.length ? Math.max(...ages) : null,
    created,
  };
}

/** True when the window holds no task activity and nothing waits or runs. */
export function isQuiet(metrics: QueueMetrics): boolean {
  const sums = totals(metrics);
  const finished = metrics.buckets.some((bucket) => bucket.completed + bucket.failed > 0);
  return sums.pending + sums.running + sums.created === 0 && !finished;
}

export function QueueSkeleton() {
  return (
    <div role="status" aria-label="Loading queue metrics" className="flex flex-col gap-4" data-testid="queue-skeleton">
      <span className="sr-only">Loading queue metrics…</span>
      <div className="grid grid-cols-2 gap-4 sm:grid-cols-4">
        {[0, 1, 2, 3].map((key) => (
          <div key={key} className="h-20 animate-pulse rounded-lg bg-slate-200" />
        ))}
      </div>
      <div className="h-60 animate-pulse rounded-lg bg-slate-200" />
    </div>
  );
}

export function QuietNotice({ window }: { window: MetricWindow }) {
  return (
    <div
      className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center text-sm text-slate-600"
      data-testid="queue-empty"
    >
      <p className="font-medium text-slate-800">No tasks in {WINDOW_WORDS[window]}.</p>
      <p className="mt-1">
        Nothing is waiting or running either.{" "}
        <Link to="/admin/tasks/new" className="text-brand-700 underline">
          Create a task
        </Link>{" "}
        or choose a longer window.
      </p>
    </div>
  );
}

/** Workers are listed for moderators and admins only; a user's figures cover their own tasks. */
export function QueueStats({ metrics, showWorkers }: { metrics: QueueMetrics; showWorkers: boolean }) {
  const sums = totals(metrics);
  return (
    <section aria-label="Queue summary" className="grid grid-cols-2 gap-4 sm:grid-cols-4" data-testid="queue-summary">
      <StatCard label="Waiting" value={sums.pending.toLocaleString("en-US")} hint="pending tasks" />
      <StatCard label="Running" value={sums.running.toLocaleString("en-US")} />
      <StatCard label="Oldest waiting" value={age(sums.oldest)} />
      {showWorkers ? (
        <StatCard
          label="Workers online"
          value={metrics.workers.length}
          hint={`${metrics.workers.reduce((n, w) => n + w.in_flight, 0)} tasks in flight`}
        />
      ) : (
        <StatCard label="Created" value={sums.created.toLocaleString("en-US")} hint="your tasks in this window" />
      )}
    </section>
  );
}

export function ThroughputCard({ metrics, title = "Throughput" }: { metrics: QueueMetrics; title?: string }) {
  const rows = bucketRows(metrics.buckets, metrics.window);
  const fallback = <div className="h-60 animate-pulse rounded bg-slate-100" aria-hidden="true" />;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card title={`${title} (${WINDOW_WORDS[metrics.window]})`}>
        <Suspense fallback={fallback}>
          <SeriesChart
            label={`Tasks created and completed over ${WINDOW_WORDS[metrics.window]}`}
            rows={rows}
            series={[
              { key: "created", name: "Created", color: statusColor("created") },
              { key: "completed", name: "Completed", color: statusColor("completed") },
            ]}
          />
        </Suspense>
      </Card>
      <Card title={`Failures (${WINDOW_WORDS[metrics.window]})`}>
        <Suspense fallback={fallback}>
          <SeriesChart
            label={`Tasks failed over ${WINDOW_WORDS[metrics.window]}`}
            rows={rows}
            series={[{ key: "failed", name: "Failed", color: statusColor("failed") }]}
          />
        </Suspense>
      </Card>
    </div>
  );
}

const TYPE_COLUMNS: Column<TypeMetrics>[] = [
  { key: "task_type", header: "Type", render: (type) => <span className="font-medium">{type.task_type}</span> },
  { key: "pending", header: "Waiting", render: (type) => type.pending.toLocaleString("en-US") },
  { key: "running", header: "Running", render: (type) => type.running.toLocaleString("en-US") },
  { key: "oldest", header: "Oldest waiting", render: (type) => age(type.oldest_pending_age_seconds) },
  {
    key: "wait",
    header: "Wait p50 / p95",
    render: (type) => `${millis(type.wait_p50_ms)} / ${millis(type.wait_p95_ms)}`,
  },
  { key: "run", header: "Run p50 / p95", render: (type) => `${millis(type.run_p50_ms)} / ${millis(type.run_p95_ms)}` },
  { key: "done", header: "Completed", render: (type) => type.completed.toLocaleString("en-US") },
  { key: "failed", header: "Failed", render: (type) => type.failed.toLocaleString("en-US") },
  { key: "rate", header: "Failure rate", render: (type) => percent(type.failure_rate) },
];

export function TypesTable({ metrics }: { metrics: QueueMetrics }) {
  return (
    <Table
      caption="Queue by task type"
      columns={TYPE_COLUMNS}
      rows={metrics.types}
      rowKey={(type) => type.task_type}
      empty="No task types have tasks in this window."
    />
  );
}

const WORKER_COLUMNS: Column<WorkerMetrics>[] = [
  { key: "hostname", header: "Host", className: "break-all", render: (worker) => worker.hostname },
  { key: "id", header: "Worker", render: (worker) => <span className="font-mono text-xs">{shortId(worker.id)}</span> },
  {
    key: "heartbeat",
    header: "Last heartbeat",
    render: (worker) => <time dateTime={worker.last_heartbeat_at}>{relativeTime(worker.last_heartbeat_at)}</time>,
  },
  { key: "in_flight", header: "In flight", render: (worker) => worker.in_flight },
];

export function WorkersTable({ metrics }: { metrics: QueueMetrics }) {
  return (
    <Table
      caption="Workers online"
      columns={WORKER_COLUMNS}
      rows={metrics.workers}
      rowKey={(worker) => worker.id}
      empty="No worker is online: pending tasks wait until one starts (`starter worker`)."
    />
  );
}
