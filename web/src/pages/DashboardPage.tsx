import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { atLeast, useSession } from "../auth/session";
import { StatusBadge } from "../components/Badge";
import { Card, ErrorNotice, Loading, PageHeader, StatCard } from "../components/Layout";
import { relativeTime, shortId } from "../lib/format";
import { useFallbackInterval } from "../live/LiveUpdates";
import { isGood, runProbe } from "./health/probes";
import {
  isQuiet,
  QueueSkeleton,
  QueueStats,
  QuietNotice,
  ThroughputCard,
  useQueueMetrics,
  WindowPicker,
} from "./tasks/queueView";
import { searchTasks, type MetricWindow } from "./tasks/tasksApi";
import { queryKeys } from "../lib/queryKeys";

function TaskStatsCards() {
  const stats = useQuery({
    queryKey: queryKeys.tasks.stats(),
    queryFn: () => unwrap(api.GET("/tasks/stats")),
    refetchInterval: useFallbackInterval(10_000),
  });
  if (stats.error) return <ErrorNotice error={stats.error} />;
  const s = stats.data;
  return (
    <section aria-label="Task statistics" className="grid grid-cols-2 gap-4 sm:grid-cols-4">
      <StatCard label="All tasks" value={s?.total ?? "…"} />
      {/* Not "Running": the Queue section below counts the running ones alone. */}
      <StatCard
        label="Unfinished"
        value={s ? s.running + s.pending + s.retrying : "…"}
        hint="pending, running or retrying"
      />
      <StatCard label="Completed" value={s?.completed ?? "…"} />
      <StatCard label="Failed" value={s?.failed ?? "…"} hint={s ? `${s.cancelled} cancelled` : undefined} />
    </section>
  );
}

function HealthSummary() {
  const health = useQuery({
    queryKey: queryKeys.health("/health/detailed"),
    queryFn: () => runProbe("/health/detailed"),
    refetchInterval: 30_000,
  });
  if (health.isPending) return <Loading label="Checking health…" />;
  const result = health.data;
  return (
    <ul className="flex flex-col gap-2" data-testid="dashboard-health">
      <li className="flex items-center justify-between text-sm">
        <span className="font-medium">Overall</span>
        <StatusBadge value={result && isGood(result.status) ? "healthy" : "unhealthy"} />
      </li>
      {Object.entries(result?.checks ?? {}).map(([name, check]) => (
        <li key={name} className="flex items-center justify-between text-sm">
          <span>{name}</span>
          <StatusBadge value={check.status} />
        </li>
      ))}
      <li>
        <Link to="/admin/health" className="text-sm text-brand-700 underline">
          All probes
        </Link>
      </li>
    </ul>
  );
}

function RecentTasks() {
  const tasks = useQuery({
    queryKey: queryKeys.tasks.search({ limit: 6, offset: 0, sort: "-created_at" }),
    queryFn: () => searchTasks({ limit: 6, offset: 0, sort: "-created_at" }),
    refetchInterval: useFallbackInterval(15_000),
  });
  if (tasks.error) return <ErrorNotice error={tasks.error} />;
  if (tasks.isPending) return <Loading label="Loading tasks…" />;
  const rows = tasks.data.rows;
  if (rows.length === 0) {
    return (
      <p className="text-sm text-slate-500">
        No tasks yet.{" "}
        <Link to="/admin/tasks/new" className="text-brand-700 underline">
          Create one
        </Link>
        .
      </p>
    );
  }
  return (
    <ul className="divide-y divide-slate-100" data-testid="recent-tasks">
      {rows.map((task) => (
        <li key={task.id} className="flex items-center justify-between gap-2 py-2 text-sm">
          <Link to="/admin/tasks/$taskId" params={{ taskId: task.id }} className="truncate text-brand-700 underline">
            {task.task_type} <span className="font-mono text-xs">{shortId(task.id)}</span>
          </Link>
          <span className="flex items-center gap-2">
            <span className="hidden text-xs text-slate-500 sm:inline">{relativeTime(task.created_at)}</span>
            <StatusBadge value={task.status} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function QueueSection({ moderator }: { moderator: boolean }) {
  const [window, setWindow] = useState<MetricWindow>("24h");
  const metrics = useQueueMetrics(window);
  return (
    <section aria-label="Queue" className="mt-6 flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">Queue</h2>
        <div className="flex items-center gap-3">
          <Link to="/admin/tasks/queue" className="text-sm text-brand-700 underline">
            Queue details
          </Link>
          <WindowPicker value={window} onChange={setWindow} />
        </div>
      </div>
      {metrics.error ? <ErrorNotice error={metrics.error} /> : null}
      {metrics.isPending ? <QueueSkeleton /> : null}
      {metrics.data ? (
        <>
          <QueueStats metrics={metrics.data} showWorkers={moderator} />
          {isQuiet(metrics.data) ? (
            <QuietNotice window={window} />
          ) : (
            <ThroughputCard metrics={metrics.data} title="Task throughput" />
          )}
        </>
      ) : null}
    </section>
  );
}

export function DashboardPage() {
  const { user } = useSession();
  const moderator = atLeast(user?.role, "moderator");
  return (
    <>
      <PageHeader
        title={`Welcome, ${user?.username ?? ""}`}
        description={
          moderator
            ? "The queue, the system's health and what is happening now."
            : "Your tasks, the system's health and what is happening now."
        }
      />
      {moderator ? <TaskStatsCards /> : null}
      <QueueSection moderator={moderator} />
      <div className="mt-6 grid gap-4 lg:grid-cols-3">
        <Card title={moderator ? "Recent tasks" : "My recent tasks"} className="lg:col-span-2">
          <RecentTasks />
        </Card>
        <Card title="System health">
          <HealthSummary />
        </Card>
      </div>
      <nav aria-label="Quick links" className="mt-6 flex flex-wrap gap-2 text-sm">
        <Link
          to="/admin/tasks/new"
          className="rounded-md bg-brand-600 px-3 py-2 font-medium text-white hover:bg-brand-700"
        >
          New task
        </Link>
        <Link
          to="/admin/monitoring/incidents"
          className="rounded-md border border-slate-300 bg-white px-3 py-2 font-medium hover:bg-slate-100"
        >
          Incidents
        </Link>
        <Link
          to="/admin/profile"
          className="rounded-md border border-slate-300 bg-white px-3 py-2 font-medium hover:bg-slate-100"
        >
          My profile
        </Link>
      </nav>
    </>
  );
}
