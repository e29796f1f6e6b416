import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { z } from "zod";
import { api, unwrap } from "../../api/client";
import { choices, INCIDENT_STATUSES, SEVERITIES, type Incident, type IncidentStatus } from "../../api/types";
import { StatusBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Pager } from "../../components/Pager";
import {
  FormError,
  FormSelectField,
  FormTextArea,
  FormTextField,
  showServerError,
  useZodForm,
} from "../../components/Form";
import { requiredText, severitySchema } from "../../api/validation";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { useFallbackInterval } from "../../live/LiveUpdates";
import { useIncidentUpdate } from "./incidentUpdate";
import { queryKeys } from "../../lib/queryKeys";

const LIMIT = 50;

const incidentSchema = z.object({
  title: requiredText("Title", 200),
  description: z.string(),
  severity: severitySchema,
});

function CreateIncident() {
  const navigate = useNavigate();
  const form = useZodForm(incidentSchema, { defaultValues: { title: "", description: "", severity: "medium" } });
  const create = useAction<z.output<typeof incidentSchema>, Incident>({
    run: (v) =>
      unwrap(
        api.POST("/monitoring/incidents", {
          body: { title: v.title, description: v.description || null, severity: v.severity },
        }),
      ),
    success: (incident) => `Incident "${incident.title}" opened.`,
    invalidate: [queryKeys.monitoring.incidents.all, queryKeys.monitoring.stats()],
    onDone: (incident) =>
      void navigate({ to: "/admin/monitoring/incidents/$incidentId", params: { incidentId: incident.id } }),
    onError: (error) => showServerError(form, error),
    toastErrors: false,
  });
  const submit = form.handleSubmit((values) => create.mutate(values));
  return (
    <Card title="Open an incident">
      <form onSubmit={submit} noValidate className="grid gap-3 sm:grid-cols-2" aria-label="Create incident">
        <div className="sm:col-span-2 empty:hidden">
          <FormError form={form} />
        </div>
        <FormTextField form={form} name="title" label="Title" required />
        <FormSelectField form={form} name="severity" label="Severity" options={choices(SEVERITIES)} />
        <div className="sm:col-span-2">
          <FormTextArea form={form} name="description" label="Description" rows={3} className="font-sans" />
        </div>
        <div>
          <Button type="submit" busy={create.isPending}>
            Open incident
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function IncidentsPage() {
  const [offset, setOffset] = useState(0);
  const incidents = useQuery({
    queryKey: queryKeys.monitoring.incidents.list(offset),
    queryFn: () => unwrap(api.GET("/monitoring/incidents", { params: { query: { limit: LIMIT, offset } } })),
    placeholderData: keepPreviousData,
    refetchInterval: useFallbackInterval(15_000),
  });
  const update = useIncidentUpdate();

  const columns: Column<Incident>[] = [
    {
      key: "title",
      header: "Incident",
      render: (i) => (
        <Link
          to="/admin/monitoring/incidents/$incidentId"
          params={{ incidentId: i.id }}
          className="font-medium text-brand-700 underline"
        >
          {i.title || "(untitled)"}
        </Link>
      ),
    },
    { key: "severity", header: "Severity", render: (i) => <StatusBadge value={i.severity} /> },
    {
      key: "status",
      header: "Status",
      render: (i) => (
        <label className="flex items-center gap-2">
          <span className="sr-only">Status of {i.title}</span>
          <select
            className="rounded border border-slate-300 bg-white px-2 py-1 text-xs"
            value={i.status}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ id: i.id, body: { status: e.target.value as IncidentStatus } })}
          >
            {INCIDENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
      ),
    },
    { key: "started", header: "Started", render: (i) => relativeTime(i.started_at) },
    { key: "resolved", header: "Resolved", render: (i) => relativeTime(i.resolved_at) },
  ];

  return (
    <>
      <PageHeader title="Incidents" description="New incidents arrive live." />
      {incidents.error ? <ErrorNotice error={incidents.error} /> : null}
      {incidents.isPending ? (
        <Loading />
      ) : (
        <Table
          caption="Incidents"
          columns={columns}
          rows={incidents.data ?? []}
          rowKey={(i) => i.id}
          empty="No incidents. Good."
        />
      )}
      <Pager
        offset={offset}
        limit={LIMIT}
        shown={incidents.data?.length ?? 0}
        total={null}
        onOffset={setOffset}
        className="mb-6"
      />
      <CreateIncident />
    </>
  );
}
