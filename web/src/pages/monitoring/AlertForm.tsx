import { z } from "zod";
import { api, unwrap } from "../../api/client";
import { choices, SEVERITIES, type Alert } from "../../api/types";
import { severitySchema, zEnum } from "../../api/validation";
import { Button } from "../../components/Button";
import { FormError, FormSelectField, FormTextField, showServerError, useZodForm } from "../../components/Form";
import { useAction } from "../../lib/useAction";
import { PresetPicker, RulePreview, type Preset } from "./alertPreview";
import { queryKeys } from "../../lib/queryKeys";

export const RULE_HELP =
  "metric <name> <avg|min|max|sum|count|last> over <N><s|m|h> [where k=v,…] · events [event_type=…] [level=…] [source=…] count over <N><s|m|h> · tasks <status> count [older than <N><m|h>] — optionally ending with < | <= | > | >= | == <number>";

const ALERT_STATUSES = ["active", "silenced", "resolved"] as const;

const isNumber = (text: string) => text.trim() !== "" && Number.isFinite(Number(text));

const alertSchema = z.object({
  name: z.string().trim().min(1, "Name is required."),
  description: z.string(),
  query: z.string().trim().min(1, "Rule is required."),
  threshold: z.string().refine((text) => text.trim() === "" || isNumber(text), "Enter a number or leave empty."),
  status: zEnum(ALERT_STATUSES),
  open_incident: z.boolean(),
  incident_severity: severitySchema,
});

type Values = z.output<typeof alertSchema>;

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
  const form = useZodForm(alertSchema, { defaultValues: initial(alert) });
  const save = useAction<Values, Alert>({
    run: (v) => {
      const common = {
        name: v.name,
        description: v.description || null,
        query: v.query,
        threshold_value: isNumber(v.threshold) ? Number(v.threshold) : null,
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
    onError: (error) => showServerError(form, error),
    toastErrors: false,
  });
  const submit = form.handleSubmit((values) => save.mutate(values));

  const [query, thresholdText] = form.watch(["query", "threshold"]);
  const threshold = isNumber(thresholdText) ? Number(thresholdText) : null;
  const pick = (preset: Preset) => {
    const { name, description } = form.getValues();
    const options = { shouldDirty: true } as const;
    form.setValue("name", name || preset.name, options);
    form.setValue("description", description || preset.description, options);
    form.setValue("query", preset.query, { ...options, shouldValidate: form.formState.isSubmitted });
    form.setValue("threshold", "", options);
  };
  return (
    <form
      onSubmit={submit}
      noValidate
      className="flex flex-col gap-3"
      aria-label={alert ? "Edit alert" : "Create alert"}
    >
      <FormError form={form} />
      {alert ? null : <PresetPicker onPick={pick} />}
      <FormTextField form={form} name="name" label="Name" required />
      <FormTextField form={form} name="description" label="Description" />
      <FormTextField
        form={form}
        name="query"
        label="Rule"
        required
        placeholder="metric cpu_usage avg over 5m > 90"
        hint={RULE_HELP}
        className="font-mono"
      />
      <FormTextField
        form={form}
        name="threshold"
        label="Threshold"
        inputMode="decimal"
        hint="Compared with > unless the rule ends with a comparison."
      />
      <RulePreview query={query} threshold={threshold} />
      {alert ? <FormSelectField form={form} name="status" label="Status" options={choices(ALERT_STATUSES)} /> : null}
      <div className="flex flex-wrap items-end gap-4">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" {...form.register("open_incident")} />
          Open an incident when it fires
        </label>
        <div className="w-40">
          <FormSelectField
            form={form}
            name="incident_severity"
            label="Incident severity"
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
