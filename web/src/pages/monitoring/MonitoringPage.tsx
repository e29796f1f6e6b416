import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useMemo } from "react";
import { api, unwrap } from "../../api/client";
import { atLeast, useSession } from "../../auth/session";
import { Badge, LevelBadge, StatusBadge } from "../../components/Badge";
import { Card, ErrorNotice, Loading, PageHeader, StatCard } from "../../components/Layout";
import { relativeTime } from "../../lib/format";
import { useFallbackInterval } from "../../live/LiveUpdates";
import { EventLink } from "./EventDialog";
import { alertStates, eventsPerLevel, incidentsBySeverity } from "./overview";
import { queryKeys } from "../../lib/queryKeys";

// recharts loads only with the charts.
const SeriesChart = lazy(() =>
  import("../../components/SeriesChart").then((module) => ({ default: module.SeriesChart })),
);
const SimpleBarChart = lazy(() =>
  import("../../components/charts").then((module) => ({ default: module.SimpleBarChart })),
);
const DonutChart = lazy(() => import("../../components/charts").then((module) => ({ default: module.DonutChart })));

const CHART_HOURS = 24;
const CHART_EVENTS = 1000;

function StatsCards() {
  const stats = useQuery({
    queryKey: queryKeys.monitoring.stats(),
    queryFn: () => unwrap(api.GET("/monitoring/stats")),
    refetchInterval: useFallbackInterval(15_000),
  });
  if (stats.error) return <ErrorNotice error={stats.error} />;
  const s = stats.data;
  return (
    <section aria-label="Monitoring statistics" className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-4">
      <StatCard
        label="Events (last hour)"
        value={s?.events_last_hour ?? "…"}
        hint={s ? `${s.total_events} in total` : undefined}
      />
      <StatCard
        label="Metrics (last hour)"
        value={s?.metrics_last_hour ?? "…"}
        hint={s ? `${s.total_metrics} in total` : undefined}
      />
      <StatCard label="Active alerts" value={s?.active_alerts ?? "…"} />
      <StatCard label="Open incidents" value={s?.open_incidents ?? "…"} />
    </section>
  );
}

function ChartFallback() {
  return <div className="h-60 animate-pulse rounded bg-slate-100" aria-hidden="true" />;
}

function EventsChart() {
  const since = useMemo(() => new Date(Date.now() - CHART_HOURS * 3_600_000).toISOString(), []);
  const query = { limit: CHART_EVENTS, offset: 0, start_time: since };
  const events = useQuery({
    queryKey: queryKeys.monitoring.events.list(query),
    queryFn: () => unwrap(api.GET("/monitoring/events", { params: { query } })),
    refetchInterval: useFallbackInterval(30_000),
  });
  const series = useMemo(() => eventsPerLevel(events.data ?? [], CHART_HOURS), [events.data]);
  const capped = (events.data?.length ?? 0) >= CHART_EVENTS;
  return (
    <Card title="Events per level (last 24 hours)" className="lg:col-span-2">
      {events.error ? <ErrorNotice error={events.error} /> : null}
      {events.isPending ? <ChartFallback /> : null}
      {events.data && events.data.length === 0 ? (
        <p className="py-6 text-center text-sm text-slate-500">
          No events in the last 24 hours.{" "}
          <Link to="/admin/monitoring/events" className="text-brand-700 underline">
            Record one
          </Link>{" "}
          or send them from your services.
        </p>
      ) : null}
      {events.data && events.data.length > 0 ? (
        <Suspense fallback={<ChartFallback />}>
          <SeriesChart
            label="Events per level over the last 24 hours"
            rows={series.rows}
            series={series.series}
            stacked
          />
        </Suspense>
      ) : null}
      {capped ? (
        <p className="mt-2 text-xs text-slate-500">
          From the newest {CHART_EVENTS.toLocaleString("en-US")} events of the period.
        </p>
      ) : null}
    </Card>
  );
}

export function MonitoringPage() {
  const { user } = useSession();
  const fallback = useFallbackInterval(15_000);
  const events = useQuery({
    queryKey: queryKeys.monitoring.events.list({ limit: 8, offset: 0 }),
    queryFn: () => unwrap(api.GET("/monitoring/events", { params: { query: { limit: 8, offset: 0 } } })),
    refetchInterval: fallback,
  });
  const incidents = useQuery({
    queryKey: queryKeys.monitoring.incidents.list(0),
    queryFn: () => unwrap(api.GET("/monitoring/incidents", { params: { query: { limit: 50, offset: 0 } } })),
    refetchInterval: fallback,
  });
  const alerts = useQuery({
    queryKey: queryKeys.monitoring.alerts(),
    queryFn: () => unwrap(api.GET("/monitoring/alerts")),
    refetchInterval: fallback,
  });
  const open = (incidents.data ?? []).filter((i) => i.status === "open" || i.status === "investigating");
  const firing = (alerts.data ?? []).filter((a) => a.firing);
  const states = alertStates(alerts.data ?? []);

  return (
    <>
      <PageHeader title="Monitoring" description="Events, metrics, alerts and incidents at a glance." />
      {atLeast(user?.role, "moderator") ? <StatsCards /> : null}
      <div className="mb-4 grid gap-4 lg:grid-cols-3">
        <EventsChart />
        <Card title="Recent events">
          {events.error ? <ErrorNotice error={events.error} /> : null}
          {events.isPending ? <Loading /> : null}
          <ul className="divide-y divide-slate-100 text-sm" data-testid="recent-events">
            {(events.data ?? []).map((e) => (
              <li key={e.id} className="break-words py-1.5">
                <span className="flex flex-wrap items-center gap-2">
                  <EventLink id={e.id} />
                  <span className="min-w-0 font-medium [overflow-wrap:anywhere]">{e.source}</span>
                  {e.level ? <LevelBadge level={e.level} /> : <span className="text-slate-500">{e.event_type}</span>}
                </span>
                <p className="truncate text-slate-600">{e.message}</p>
                <p className="text-xs text-slate-500">{relativeTime(e.recorded_at)}</p>
              </li>
            ))}
            {events.data?.length === 0 ? <li className="py-1.5 text-slate-500">No events yet.</li> : null}
          </ul>
          <Link to="/admin/monitoring/events" className="mt-2 inline-block text-sm text-brand-700 underline">
            All events
          </Link>
        </Card>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title={`Open incidents (${open.length})`}>
          {incidents.error ? <ErrorNotice error={incidents.error} /> : null}
          {open.length > 0 ? (
            <Suspense fallback={<ChartFallback />}>
              <SimpleBarChart label="Open incidents by severity" data={incidentsBySeverity(incidents.data ?? [])} />
            </Suspense>
          ) : null}
          <ul className="divide-y divide-slate-100 text-sm">
            {open.slice(0, 8).map((i) => (
              <li key={i.id} className="flex items-center justify-between gap-2 py-1.5">
                <Link
                  to="/admin/monitoring/incidents/$incidentId"
                  params={{ incidentId: i.id }}
                  className="min-w-0 truncate text-brand-700 underline"
                >
                  {i.title || "(untitled)"}
                </Link>
                <StatusBadge value={i.severity} />
              </li>
            ))}
            {open.length === 0 && !incidents.isPending ? <li className="py-1.5 text-slate-500">None open.</li> : null}
          </ul>
          <Link to="/admin/monitoring/incidents" className="mt-2 inline-block text-sm text-brand-700 underline">
            All incidents
          </Link>
        </Card>
        <Card title={`Firing alerts (${firing.length})`}>
          {alerts.error ? <ErrorNotice error={alerts.error} /> : null}
          {states.length > 0 ? (
            <Suspense fallback={<ChartFallback />}>
              <DonutChart label="Alert rules by state" data={states} />
            </Suspense>
          ) : null}
          <ul className="divide-y divide-slate-100 text-sm">
            {firing.map((a) => (
              <li key={a.id} className="flex items-center justify-between gap-2 py-1.5">
                <span className="min-w-0 truncate">{a.name}</span>
                <Badge tone="red">{a.last_value === null ? "firing" : `firing: ${a.last_value}`}</Badge>
              </li>
            ))}
            {firing.length === 0 && !alerts.isPending ? (
              <li className="py-1.5 text-slate-500">Nothing firing.</li>
            ) : null}
          </ul>
          <p className="mt-2 text-xs text-slate-500">{(alerts.data ?? []).length} alert rule(s) defined.</p>
        </Card>
      </div>
      <nav aria-label="Monitoring sections" className="mt-6 flex flex-wrap gap-2 text-sm">
        <Link
          to="/admin/monitoring/metrics"
          className="rounded-md border border-slate-300 bg-white px-3 py-2 hover:bg-slate-100"
        >
          Metrics
        </Link>
        {atLeast(user?.role, "moderator") ? (
          <Link
            to="/admin/monitoring/alerts"
            className="rounded-md border border-slate-300 bg-white px-3 py-2 hover:bg-slate-100"
          >
            Alerts
          </Link>
        ) : null}
        <a
          href="/api/v1/monitoring/metrics/prometheus"
          className="rounded-md border border-slate-300 bg-white px-3 py-2 hover:bg-slate-100"
        >
          Prometheus export
        </a>
      </nav>
    </>
  );
}
