import { useQuery } from "@tanstack/react-query";
import { atLeast, useSession } from "../auth/session";
import { StatusBadge } from "../components/Badge";
import { Card, PageHeader } from "../components/Layout";
import { formatDateTime, prettyJson } from "../lib/format";
import { isGood, runProbe, type ProbePath } from "./health/probes";
import { queryKeys } from "../lib/queryKeys";

const PROBES: Array<{ path: ProbePath; title: string; every: number }> = [
  { path: "/health", title: "Basic health", every: 30_000 },
  { path: "/health/detailed", title: "Detailed", every: 30_000 },
  { path: "/health/live", title: "Liveness", every: 10_000 },
  { path: "/health/ready", title: "Readiness", every: 15_000 },
  { path: "/health/startup", title: "Startup", every: 20_000 },
];

function ProbeCard({ path, title, every }: { path: ProbePath; title: string; every: number }) {
  const probe = useQuery({ queryKey: queryKeys.health(path), queryFn: () => runProbe(path), refetchInterval: every });
  const result = probe.data;
  const status = result?.status ?? (probe.error ? "unhealthy" : "checking");
  return (
    <Card title={title}>
      <div className="flex items-center justify-between gap-2" data-testid={`probe-${path}`}>
        <code className="text-xs text-slate-500">GET /api/v1{path}</code>
        <span className={isGood(status) ? "" : "font-semibold"}>
          <StatusBadge value={isGood(status) ? "healthy" : status === "checking" ? "pending" : "unhealthy"} />{" "}
          <span className="text-sm">{status}</span>
        </span>
      </div>
      {result?.error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {result.error}
        </p>
      ) : null}
      {result && Object.keys(result.checks).length > 0 ? (
        <ul className="mt-3 flex flex-col gap-2">
          {Object.entries(result.checks).map(([name, check]) => (
            <li key={name} className="rounded border border-slate-200 p-2 text-sm">
              <div className="flex items-center justify-between">
                <span className="font-medium">{name}</span>
                <StatusBadge value={check.status} />
              </div>
              {check.message ? <p className="text-xs text-slate-600">{check.message}</p> : null}
              {check.details ? (
                <pre className="mt-1 overflow-auto text-xs text-slate-500">{prettyJson(check.details)}</pre>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {result ? (
        <details className="mt-3 text-xs">
          <summary className="cursor-pointer text-slate-600">
            HTTP {result.httpStatus} · checked {formatDateTime(new Date(probe.dataUpdatedAt).toISOString())}
          </summary>
          <pre className="mt-1 overflow-auto rounded bg-slate-50 p-2">{prettyJson(result.raw)}</pre>
        </details>
      ) : null}
    </Card>
  );
}

export function HealthPage() {
  const { user } = useSession();
  return (
    <>
      <PageHeader title="System health" description="Every probe refreshes on its own schedule." />
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {PROBES.map((probe) => (
          <ProbeCard key={probe.path} {...probe} />
        ))}
        {atLeast(user?.role, "admin") ? <ProbeCard path="/admin/health" title="Admin health" every={30_000} /> : null}
      </div>
    </>
  );
}
