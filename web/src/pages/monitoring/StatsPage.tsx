import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { api, unwrap } from "../../api/client";
import { TASK_STATUSES, type Worker } from "../../api/types";
import { Card, ErrorNotice, Loading, PageHeader, StatCard } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime } from "../../lib/format";
import { useFallbackInterval } from "../../live/LiveUpdates";
import { queryKeys } from "../../lib/queryKeys";

const SimpleBarChart = lazy(() =>
  import("../../components/charts").then((module) => ({ default: module.SimpleBarChart })),
);

export function StatsPage() {
  const fallback = useFallbackInterval(15_000);
  const monitoring = useQuery({
    queryKey: queryKeys.monitoring.stats(),
    queryFn: () => unwrap(api.GET("/monitoring/stats")),
    refetchInterval: fallback,
  });
  const tasks = useQuery({
    queryKey: queryKeys.tasks.stats(),
    queryFn: () => unwrap(api.GET("/tasks/stats")),
    refetchInterval: fallback,
  });
  const workers = useQuery({
    queryKey: queryKeys.tasks.workers(),
    queryFn: () => unwrap(api.GET("/tasks/workers")),
    refetchInterval: 15_000,
  });
  const m = monitoring.data;
  const t = tasks.data;

  const columns: Column<Worker>[] = [
    { key: "host", header: "Worker", render: (w) => `${w.hostname} (pid ${w.pid})` },
    { key: "load", header: "In flight", render: (w) => `${w.in_flight}/${w.concurrency}` },
    { key: "types", header: "Task types", className: "text-xs", render: (w) => w.task_types.join(", ") },
    { key: "heartbeat", header: "Heartbeat", render: (w) => relativeTime(w.heartbeat_at) },
    { key: "started", header: "Started", render: (w) => relativeTime(w.started_at) },
  ];

  return (
    <>
      <PageHeader title="System stats" description="Monitoring volume, task states and live workers." />
      {monitoring.error ? <ErrorNotice error={monitoring.error} /> : null}
      <section aria-label="Monitoring statistics" className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-6">
        <StatCard label="Events" value={m?.total_events ?? "…"} />
        <StatCard label="Events last hour" value={m?.events_last_hour ?? "…"} />
        <StatCard label="Metrics" value={m?.total_metrics ?? "…"} />
        <StatCard label="Metrics last hour" value={m?.metrics_last_hour ?? "…"} />
        <StatCard label="Active alerts" value={m?.active_alerts ?? "…"} />
        <StatCard label="Open incidents" value={m?.open_incidents ?? "…"} />
      </section>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Tasks by status">
          {tasks.error ? <ErrorNotice error={tasks.error} /> : null}
          {t ? (
            <Suspense fallback={<Loading label="Loading chart…" />}>
              <SimpleBarChart
                label="Tasks by status"
                data={TASK_STATUSES.map((status) => ({ name: status, value: t[status] }))}
              />
            </Suspense>
          ) : (
            <Loading />
          )}
        </Card>
        <Card title="Workers">
          {workers.error ? <ErrorNotice error={workers.error} /> : null}
          <Table
            caption="Workers"
            columns={columns}
            rows={workers.data ?? []}
            rowKey={(w) => w.id}
            empty="No live workers."
          />
        </Card>
      </div>
    </>
  );
}
