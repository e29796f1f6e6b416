import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { z } from "zod";
import { api, unwrap } from "../../api/client";
import { choices, INCIDENT_STATUSES, SEVERITIES } from "../../api/types";
import { incidentStatusSchema, severitySchema } from "../../api/validation";
import { StatusBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { SelectField } from "../../components/Field";
import { FormSelectField, FormTextArea, useZodForm } from "../../components/Form";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { useIncidentUpdate } from "./incidentUpdate";
import { formatTags } from "./tags";
import { queryKeys } from "../../lib/queryKeys";

const updateSchema = z.object({
  status: incidentStatusSchema,
  severity: severitySchema,
  root_cause: z.string().max(10_000, "Root cause is at most 10000 characters."),
});

const LOOKBACKS = ["0", "1", "6", "24", "168"];

function Timeline({ id }: { id: string }) {
  const [lookback, setLookback] = useState("1");
  const timeline = useQuery({
    queryKey: queryKeys.monitoring.incident.timeline(id, lookback),
    queryFn: () =>
      unwrap(
        api.GET("/monitoring/incidents/{id}/timeline", {
          params: { path: { id }, query: { lookback_hours: Number(lookback), limit: 200 } },
        }),
      ),
  });
  return (
    <Card title="Timeline">
      <div className="mb-3 max-w-xs">
        <SelectField
          label="Look back before the start"
          value={lookback}
          onChange={(e) => setLookback(e.target.value)}
          options={LOOKBACKS.map((h) => ({ value: h, label: `${h} hour(s)` }))}
        />
      </div>
      {timeline.error ? <ErrorNotice error={timeline.error} /> : null}
      {timeline.isPending ? <Loading /> : null}
      {timeline.data ? (
        <>
          <p className="mb-2 text-xs text-slate-500">
            {timeline.data.total_count} event(s) from {formatDateTime(timeline.data.start_time)} to{" "}
            {timeline.data.end_time ? formatDateTime(timeline.data.end_time) : "now"}
          </p>
          <ol className="relative border-l border-slate-200 pl-4" data-testid="incident-timeline">
            {timeline.data.entries.map((entry) => (
              <li key={entry.id} className="mb-3 break-words">
                <span
                  aria-hidden="true"
                  className="absolute -left-1.5 mt-1.5 h-3 w-3 rounded-full border border-white bg-brand-500"
                />
                <p className="text-xs text-slate-500">
                  <time dateTime={entry.recorded_at}>{formatDateTime(entry.recorded_at)}</time> · {entry.event_type} ·{" "}
                  {entry.source}
                  {entry.level ? ` · ${entry.level}` : ""}
                </p>
                <p className="text-sm">{entry.message || "(no message)"}</p>
                {Object.keys(entry.tags as object).length ? (
                  <p className="font-mono text-xs text-slate-500">
                    {formatTags(entry.tags as Record<string, unknown>)}
                  </p>
                ) : null}
              </li>
            ))}
            {timeline.data.entries.length === 0 ? (
              <li className="text-sm text-slate-500">No events in this window.</li>
            ) : null}
          </ol>
        </>
      ) : null}
    </Card>
  );
}

export function IncidentDetailPage() {
  const { incidentId } = useParams({ from: "/admin/monitoring/incidents/$incidentId" });
  const incident = useQuery({
    queryKey: queryKeys.monitoring.incident.detail(incidentId),
    queryFn: () => unwrap(api.GET("/monitoring/incidents/{id}", { params: { path: { id: incidentId } } })),
  });
  const form = useZodForm(updateSchema, { defaultValues: { status: "open", severity: "medium", root_cause: "" } });
  const { reset } = form;
  useEffect(() => {
    if (incident.data)
      reset({
        status: incident.data.status,
        severity: incident.data.severity,
        root_cause: incident.data.root_cause ?? "",
      });
  }, [incident.data, reset]);
  const update = useIncidentUpdate();

  if (incident.isPending) return <Loading />;
  if (incident.error) return <ErrorNotice error={incident.error} />;
  const i = incident.data;
  const submit = form.handleSubmit(({ status, severity, root_cause }) =>
    update.mutate({ id: i.id, body: { status, severity, ...(root_cause.trim() ? { root_cause } : {}) } }),
  );

  return (
    <>
      <PageHeader title={i.title || "(untitled incident)"} description={i.description ?? undefined} />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Details">
          <dl className="grid grid-cols-2 gap-3 text-sm [&>dd]:min-w-0 [&>dd]:break-words">
            <dt className="text-slate-500">Status</dt>
            <dd data-testid="incident-status">
              <StatusBadge value={i.status} />
            </dd>
            <dt className="text-slate-500">Severity</dt>
            <dd>
              <StatusBadge value={i.severity} />
            </dd>
            <dt className="text-slate-500">Started</dt>
            <dd>{formatDateTime(i.started_at)}</dd>
            <dt className="text-slate-500">Resolved</dt>
            <dd data-testid="incident-resolved">{formatDateTime(i.resolved_at)}</dd>
            <dt className="text-slate-500">Root cause</dt>
            <dd>{i.root_cause ?? "—"}</dd>
          </dl>
          <form
            onSubmit={submit}
            noValidate
            className="mt-4 flex flex-col gap-3 border-t border-slate-200 pt-4"
            aria-label="Update incident"
          >
            {update.error ? <ErrorNotice error={update.error} /> : null}
            <FormSelectField form={form} name="status" label="Status" options={choices(INCIDENT_STATUSES)} />
            <FormSelectField form={form} name="severity" label="Severity" options={choices(SEVERITIES)} />
            <FormTextArea form={form} name="root_cause" label="Root cause" rows={3} className="font-sans" />
            <Button type="submit" busy={update.isPending} className="self-start">
              Update incident
            </Button>
          </form>
        </Card>
        <div className="min-w-0 lg:col-span-2">
          <Timeline id={i.id} />
        </div>
      </div>
      <p className="mt-6 text-sm">
        <Link to="/admin/monitoring/incidents" className="text-brand-700 underline">
          ← All incidents
        </Link>
      </p>
    </>
  );
}
