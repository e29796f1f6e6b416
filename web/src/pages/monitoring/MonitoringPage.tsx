import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { api, unwrap } from "../../api/client";
import { atLeast, useSession } from "../../auth/session";
import { Badge, StatusBadge } from "../../components/Badge";
import { Card, ErrorNotice, Loading, PageHeader, StatCard } from "../../components/Layout";
import { relativeTime } from "../../lib/format";
import { useFallbackInterval } from "../../live/LiveUpdates";

function StatsCards() {
  const stats = useQuery({ queryKey: ["monitoring", "stats"], queryFn: () => unwrap(api.GET("/monitoring/stats")), refetchInterval: useFallbackInterval(15_000) });
  if (stats.error) return <ErrorNotice error={stats.error} />;
  const s = stats.data;
  return (
    <section aria-label="Monitoring statistics" className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-4">
      <StatCard label="Events (last hour)" value={s?.events_last_hour ?? "…"} hint={s ? `${s.total_events} in total` : undefined} />
      <StatCard label="Metrics (last hour)" value={s?.metrics_last_hour ?? "…"} hint={s ? `${s.total_metrics} in total` : undefined} />
      <StatCard label="Active alerts" value={s?.active_alerts ?? "…"} />
      <StatCard label="Open incidents" value={s?.open_incidents ?? "…"} />
    </section>
  );
}

export function MonitoringPage() {
  const { user } = useSession();
  const fallback = useFallbackInterval(15_000);
  const events = useQuery({ queryKey: ["monitoring", "events", { limit: 8, offset: 0 }], queryFn: () => unwrap(api.GET("/monitoring/events", { params: { query: { limit: 8, offset: 0 } } })), refetchInterval: fallback });
  const incidents = useQuery({ queryKey: ["monitoring", "incidents", 0], queryFn: () => unwrap(api.GET("/monitoring/incidents", { params: { query: { limit: 50, offset: 0 } } })), refetchInterval: fallback });
  const alerts = useQuery({ queryKey: ["monitoring", "alerts"], queryFn: () => unwrap(api.GET("/monitoring/alerts")), refetchInterval: fallback });
  const open = (incidents.data ?? []).filter((i) => i.status === "open" || i.status === "investigating");
  const firing = (alerts.data ?? []).filter((a) => a.firing);

  return (
    <>
      <PageHeader title="Monitoring" description="Events, metrics, alerts and incidents at a glance." />
      {atLeast(user?.role, "moderator") ? <StatsCards /> : null}
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Recent events">
          {events.error ? <ErrorNotice error={events.error} /> : null}
          {events.isPending ? <Loading /> : null}
          <ul className="divide-y divide-slate-100 text-sm">
            {(events.data ?? []).map((e) => (
              <li key={e.id} className="break-words py-1.5">
                <span className="font-medium">{e.source}</span> <span className="text-slate-500">{e.event_type}</span>
                <p className="truncate text-slate-600">{e.message}</p>
                <p className="text-xs text-slate-500">{relativeTime(e.recorded_at)}</p>
              </li>
            ))}
          </ul>
          <Link to="/admin/monitoring/events" className="mt-2 inline-block text-sm text-brand-700 underline">
            All events
          </Link>
        </Card>
        <Card title={`Open incidents (${open.length})`}>
          {incidents.error ? <ErrorNotice error={incidents.error} /> : null}
          <ul className="divide-y divide-slate-100 text-sm">
            {open.slice(0, 8).map((i) => (
              <li key={i.id} className="flex items-center justify-between gap-2 py-1.5">
                <Link to="/admin/monitoring/incidents/$incidentId" params={{ incidentId: i.id }} className="min-w-0 truncate text-brand-700 underline">
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
          <ul className="divide-y divide-slate-100 text-sm">
            {firing.map((a) => (
              <li key={a.id} className="flex items-center justify-between gap-2 py-1.5">
                <span className="min-w-0 truncate">{a.name}</span>
                <Badge tone="red">{a.last_value === null ? "firing" : `firing: ${a.last_value}`}</Badge>
              </li>
            ))}
            {firing.length === 0 && !alerts.isPending ? <li className="py-1.5 text-slate-500">Nothing firing.</li> : null}
          </ul>
          <p className="mt-2 text-xs text-slate-500">{(alerts.data ?? []).length} alert rule(s) defined.</p>
        </Card>
      </div>
      <nav aria-label="Monitoring sections" className="mt-6 flex flex-wrap gap-2 text-sm">
        <Link to="/admin/monitoring/metrics" className="rounded-md border border-slate-300 bg-white px-3 py-2 hover:bg-slate-100">
          Metrics
        </Link>
        {atLeast(user?.role, "moderator") ? (
          <Link to="/admin/monitoring/alerts" className="rounded-md border border-slate-300 bg-white px-3 py-2 hover:bg-slate-100">
            Alerts
          </Link>
        ) : null}
        <a href="/api/v1/monitoring/metrics/prometheus" className="rounded-md border border-slate-300 bg-white px-3 py-2 hover:bg-slate-100">
          Prometheus export
        </a>
      </nav>
    </>
  );
}
