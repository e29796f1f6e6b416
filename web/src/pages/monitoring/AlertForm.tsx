import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { choices, SEVERITIES, type Alert, type Severity } from "../../api/types";
import { Button } from "../../components/Button";
import { SelectField, TextField } from "../../components/Field";
import { ErrorNotice } from "../../components/Layout";
import { messageFor } from "../../lib/fieldErrors";
import { useAction } from "../../lib/useAction";
import { PresetPicker, RulePreview, type Preset } from "./alertPreview";
import { queryKeys } from "../../lib/queryKeys";

export const RULE_HELP =
  "metric <name> <avg|min|max|sum|count|last> over <N><s|m|h> [where k=v,…] · events [event_type=…] [level=…] [source=…] count over <N><s|m|h> · tasks <status> count [older than <N><m|h>] — optionally ending with < | <= | > | >= | == <number>";

const ALERT_STATUSES = ["active", "silenced", "resolved"] as const;

interface Values {
  name: string;
  description: string;
  query: string;
  threshold: string;
  status: Alert["status"];
  open_incident: boolean;
  incident_severity: Severity;
}

function initial(alert?: Alert): Values {
  return {
    name: alert?.name ?? "",
    description: alert?.description ?? "",
    query: alert?.query ?? "",
    threshold:
      alert?.threshold_value === null || alert?.threshold_value === undefined ? "" : String(alert.threshold_value),
    status: alert?.status ?? "active",
    open_incident: alert?.open_incident ?? false,
    incident_severity: alert?.incident_severity ?? "high",
  };
}

/** Create (no `alert`) or edit an alert; the server parses the rule and its errors show inline. */
export function AlertForm({ alert, onDone }: { alert?: Alert; onDone: () => void }) {
  const [values, setValues] = useState<Values>(() => initial(alert));
  const [thresholdError, setThresholdError] = useState<string | undefined>();
  const save = useAction<Values, Alert>({
    run: (v) => {
      const threshold = v.threshold.trim() === "" ? null : Number(v.threshold);
      const common = {
        name: v.name,
        description: v.description || null,
        query: v.query,
        threshold_value: threshold,
        open_incident: v.open_incident,
        incident_severity: v.incident_severity,
      };
      return alert
        ? unwrap(
            api.PUT("/monitoring/alerts/{id}", {
              params: { path: { id: alert.id } },
              body: { ...common, status: v.status },
            }),
          )
        : unwrap(api.POST("/monitoring/alerts", { body: common }));
    },
    success: (saved) => `Alert "${saved.name}" saved.`,
    invalidate: [queryKeys.monitoring.alerts()],
    onDone,
    toastErrors: false,
  });
  const set = (key: keyof Values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const bad = values.threshold.trim() !== "" && !Number.isFinite(Number(values.threshold));
    setThresholdError(bad ? "Enter a number or leave empty." : undefined);
    if (!bad) save.mutate(values);
  }

  const queryError = messageFor(save.error, "query");
  const threshold =
    values.threshold.trim() === "" || !Number.isFinite(Number(values.threshold)) ? null : Number(values.threshold);
  const pick = (preset: Preset) =>
    setValues((v) => ({
      ...v,
      name: v.name || preset.name,
      description: v.description || preset.description,
      query: preset.query,
      threshold: "",
    }));
  return (
    <form
      onSubmit={submit}
      noValidate
      className="flex flex-col gap-3"
      aria-label={alert ? "Edit alert" : "Create alert"}
    >
      {save.error && !queryError ? <ErrorNotice error={save.error} /> : null}
      {alert ? null : <PresetPicker onPick={pick} />}
      <TextField label="Name" name="alert_name" required value={values.name} onChange={set("name")} />
      <TextField label="Description" value={values.description} onChange={set("description")} />
      <TextField
        label="Rule"
        name="alert_query"
        required
        value={values.query}
        onChange={set("query")}
        placeholder="metric cpu_usage avg over 5m > 90"
        hint={RULE_HELP}
        error={queryError}
        className="font-mono"
      />
      <TextField
        label="Threshold"
        inputMode="decimal"
        value={values.threshold}
        onChange={set("threshold")}
        hint="Compared with > unless the rule ends with a comparison."
        error={thresholdError}
      />
      <RulePreview query={values.query} threshold={threshold} />
      {alert ? (
        <SelectField label="Status" value={values.status} onChange={set("status")} options={choices(ALERT_STATUSES)} />
      ) : null}
      <div className="flex flex-wrap items-end gap-4">
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={values.open_incident}
            onChange={(e) => setValues((v) => ({ ...v, open_incident: e.target.checked }))}
          />
          Open an incident when it fires
        </label>
        <div className="w-40">
          <SelectField
            label="Incident severity"
            value={values.incident_severity}
            onChange={set("incident_severity")}
            options={choices(SEVERITIES)}
          />
        </div>
      </div>
      <div className="flex gap-2">
        <Button type="submit" busy={save.isPending}>
          {alert ? "Save alert" : "Create alert"}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
