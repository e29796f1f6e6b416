import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useMemo } from "react";
import { api, unwrap } from "../api/client";
import { TASK_STATUSES, type Task } from "../api/types";
import { atLeast, useSession } from "../auth/session";
import { StatusBadge } from "../components/Badge";
import { Card, ErrorNotice, Loading, PageHeader, StatCard } from "../components/Layout";
import { relativeTime, shortId } from "../lib/format";
import { countByStatus, taskThroughput } from "../lib/series";
import { useFallbackInterval } from "../live/LiveUpdates";
import { isGood, runProbe } from "./health/probes";

// recharts loads only for the people who see the chart.
const ThroughputChart = lazy(() => import("../components/charts").then((module) => ({ default: module.ThroughputChart })));

const RECENT_WINDOW = 1000;

function TaskStatsCards() {
  const stats = useQuery({ queryKey: ["tasks", "stats"], queryFn: () => unwrap(api.GET("/tasks/stats")), refetchInterval: useFallbackInterval(10_000) });
  if (stats.error) return <ErrorNotice error={stats.error} />;
  const s = stats.data;
  return (
    <section aria-label="Task statistics" className="grid grid-cols-2 gap-4 sm:grid-cols-4">
      <StatCard label="All tasks" value={s?.total ?? "…"} />
      <StatCard label="Running" value={s ? s.running + s.pending + s.retrying : "…"} hint="pending, running or retrying" />
      <StatCard label="Completed" value={s?.completed ?? "…"} />
      <StatCard label="Failed" value={s?.failed ?? "…"} hint={s ? `${s.cancelled} cancelled` : undefined} />
    </section>
  );
}

function HealthSummary() {
  const health = useQuery({ queryKey: ["health", "/health/detailed"], queryFn: () => runProbe("/health/detailed"), refetchInterval: 30_000 });
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

function RecentTasks({ tasks }: { tasks: Task[] }) {
  if (tasks.length === 0) return <p className="text-sm text-slate-500">No tasks yet.</p>;
  return (
    <ul className="divide-y divide-slate-100">
      {tasks.slice(0, 6).map((task) => (
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

export function DashboardPage() {
  const { user } = useSession();
  const moderator = atLeast(user?.role, "moderator");
  const tasks = useQuery({
    queryKey: ["tasks", "list", { limit: RECENT_WINDOW, offset: 0 }],
    queryFn: () => unwrap(api.GET("/tasks", { params: { query: { limit: RECENT_WINDOW, offset: 0 } } })),
    refetchInterval: useFallbackInterval(15_000),
  });
  const mine = useMemo(() => (tasks.data ?? []).filter((task) => task.created_by === user?.id).sort((a, b) => b.created_at.localeCompare(a.created_at)), [tasks.data, user?.id]);
  const counts = countByStatus(mine, TASK_STATUSES);
  const throughput = useMemo(() => taskThroughput(tasks.data ?? []), [tasks.data]);

  return (
    <>
      <PageHeader title={`Welcome, ${user?.username ?? ""}`} description="Your tasks, the system's health and what is happening now." />
      {moderator ? <TaskStatsCards /> : null}
      <div className="mt-6 grid gap-4 lg:grid-cols-3">
        <Card title="My tasks by status" className="lg:col-span-2">
          {tasks.error ? <ErrorNotice error={tasks.error} /> : null}
          <dl className="mb-4 grid grid-cols-3 gap-3 sm:grid-cols-6" data-testid="my-task-counts">
            {TASK_STATUSES.map((status) => (
              <div key={status} className="rounded border border-slate-200 p-2 text-center">
                <dt className="text-xs text-slate-500">{status}</dt>
                <dd className="text-xl font-semibold">{counts[status]}</dd>
              </div>
            ))}
          </dl>
          <RecentTasks tasks={mine} />
        </Card>
        <Card title="System health">
          <HealthSummary />
        </Card>
      </div>
      {moderator ? (
        <Card title="Task throughput (last 24 hours)" className="mt-6">
          <Suspense fallback={<Loading label="Loading chart…" />}>
            <ThroughputChart data={throughput} />
          </Suspense>
          <p className="mt-2 text-xs text-slate-500">From the newest {RECENT_WINDOW} tasks' created and finished times.</p>
        </Card>
      ) : null}
      <nav aria-label="Quick links" className="mt-6 flex flex-wrap gap-2 text-sm">
        <Link to="/admin/tasks/new" className="rounded-md bg-brand-600 px-3 py-2 font-medium text-white hover:bg-brand-700">
          New task
        </Link>
        <Link to="/admin/monitoring/incidents" className="rounded-md border border-slate-300 bg-white px-3 py-2 font-medium hover:bg-slate-100">
          Incidents
        </Link>
        <Link to="/admin/profile" className="rounded-md border border-slate-300 bg-white px-3 py-2 font-medium hover:bg-slate-100">
          My profile
        </Link>
      </nav>
    </>
  );
}
