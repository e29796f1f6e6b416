import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { Alert } from "../../api/types";
import { Badge, StatusBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { useConfirm } from "../../components/Confirm";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { useFallbackInterval } from "../../live/LiveUpdates";
import { AlertForm } from "./AlertForm";
import { queryKeys } from "../../lib/queryKeys";

export function AlertsPage() {
  const alerts = useQuery({
    queryKey: queryKeys.monitoring.alerts(),
    queryFn: () => unwrap(api.GET("/monitoring/alerts")),
    refetchInterval: useFallbackInterval(15_000),
  });
  const [editing, setEditing] = useState<Alert | "new" | null>(null);
  const confirm = useConfirm();
  const remove = useAction<Alert, unknown>({
    run: (alert) => unwrap(api.DELETE("/monitoring/alerts/{id}", { params: { path: { id: alert.id } } })),
    success: (_r, alert) => `Alert "${alert.name}" deleted.`,
    invalidate: [queryKeys.monitoring.alerts()],
  });

  const columns: Column<Alert>[] = [
    { key: "name", header: "Name", render: (a) => <span className="font-medium">{a.name}</span> },
    {
      key: "query",
      header: "Rule",
      className: "max-w-sm break-words font-mono text-xs",
      render: (a) => `${a.query}${a.threshold_value !== null ? ` (threshold ${a.threshold_value})` : ""}`,
    },
    { key: "status", header: "Status", render: (a) => <StatusBadge value={a.status} /> },
    {
      key: "firing",
      header: "State",
      render: (a) => (
        <span data-testid={`alert-state-${a.name}`} className="flex flex-col gap-1">
          {a.firing ? <Badge tone="red">firing</Badge> : <Badge tone="green">ok</Badge>}
          <span className="text-xs text-slate-500">
            {a.last_value !== null ? `last ${a.last_value}` : "not evaluated"} · {relativeTime(a.last_evaluated_at)}
          </span>
          {a.incident_id ? (
            <Link
              to="/admin/monitoring/incidents/$incidentId"
              params={{ incidentId: a.incident_id }}
              className="text-xs text-brand-700 underline"
            >
              incident
            </Link>
          ) : null}
        </span>
      ),
    },
    {
      key: "actions",
      pinned: true,
      header: "Actions",
      render: (a) => (
        <div className="flex gap-2">
          <Button
            variant="secondary"
            className="px-2 py-1 text-xs"
            aria-label={`Edit ${a.name}`}
            onClick={() => setEditing(a)}
          >
            Edit
          </Button>
          <Button
            variant="danger"
            className="px-2 py-1 text-xs"
            aria-label={`Delete ${a.name}`}
            onClick={() =>
              confirm.ask({
                title: `Delete alert "${a.name}"?`,
                message: "The rule stops being evaluated; its incidents stay.",
                confirmLabel: "Delete",
                danger: true,
                onConfirm: () => remove.mutate(a),
              })
            }
          >
            Delete
          </Button>
        </div>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Alerts"
        description="Rules evaluated by the worker; a firing alert can open an incident."
        actions={editing === null ? <Button onClick={() => setEditing("new")}>New alert</Button> : null}
      />
      {editing !== null ? (
        <Card title={editing === "new" ? "New alert" : `Edit ${editing.name}`} className="mb-4">
          <AlertForm
            key={editing === "new" ? "new" : editing.id}
            alert={editing === "new" ? undefined : editing}
            onDone={() => setEditing(null)}
          />
        </Card>
      ) : null}
      {alerts.error ? <ErrorNotice error={alerts.error} /> : null}
      {alerts.isPending ? (
        <Loading />
      ) : (
        <Table
          caption="Alerts"
          columns={columns}
          rows={alerts.data ?? []}
          rowKey={(a) => a.id}
          empty="No alerts defined."
        />
      )}
      {confirm.dialog}
    </>
  );
}
