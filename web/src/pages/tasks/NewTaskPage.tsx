import { useNavigate } from "@tanstack/react-router";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { choices, PRIORITIES, type TaskType } from "../../api/types";
import { Button } from "../../components/Button";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { Card, ErrorNotice, PageHeader } from "../../components/Layout";
import { useToast } from "../../components/Toast";
import { parseJson } from "../../lib/json";
import { SchemaFields } from "./SchemaFields";
import { buildPayload, rawValues, schemaFields, type RawValue, type SchemaField } from "./schemaForm";
import { useTaskTypes } from "./TasksPage";
import { payloadTemplate, scheduleFromDelay } from "./templates";

/** The type's starting payload: the built-in template, else the schema's first example. */
function startingPayload(type: TaskType | undefined): unknown {
  if (!type) return {};
  const template = payloadTemplate(type.task_type);
  if (template && typeof template === "object" && Object.keys(template).length > 0) return template;
  const examples = type.payload_schema?.examples;
  return Array.isArray(examples) && examples.length > 0 ? examples[0] : {};
}

interface Draft {
  json: boolean;
  text: string;
  raw: Record<string, RawValue>;
}

function draftFor(type: TaskType | undefined, fields: SchemaField[] | null): Draft {
  const payload = startingPayload(type);
  return {
    json: fields === null,
    text: JSON.stringify(payload, null, 2),
    raw: fields ? rawValues(fields, payload) : {},
  };
}

export function NewTaskPage() {
  const navigate = useNavigate();
  const toast = useToast();
  const types = useTaskTypes();
  const [taskType, setTaskType] = useState("");
  const selected = types.data?.find((type) => type.task_type === taskType);
  const fields = useMemo(() => schemaFields(selected?.payload_schema), [selected]);
  const [draft, setDraft] = useState<Draft>({ json: true, text: "", raw: {} });
  const [priority, setPriority] = useState("normal");
  const [delay, setDelay] = useState("");
  const [problems, setProblems] = useState<{ payload?: string; delay?: string; fields?: Record<string, string> }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  function chooseType(next: string) {
    const type = types.data?.find((candidate) => candidate.task_type === next);
    setTaskType(next);
    setDraft(draftFor(type, schemaFields(type?.payload_schema)));
    setProblems({});
  }

  // Start with the first registered type and its template.
  useEffect(() => {
    const first = types.data?.[0]?.task_type;
    if (!taskType && first) chooseType(first);
  });

  /** Switch between the fields and the JSON; the payload carries over both ways. */
  function toggleJson(json: boolean) {
    if (!fields) return;
    if (json) {
      const built = buildPayload(fields, draft.raw);
      if (!built.ok) return setProblems({ fields: built.errors });
      setDraft({ ...draft, json, text: JSON.stringify(built.value, null, 2) });
    } else {
      const parsed = parseJson(draft.text);
      if (!parsed.ok) return setProblems({ payload: parsed.error });
      setDraft({ ...draft, json, raw: rawValues(fields, parsed.value) });
    }
    setProblems({});
  }

  function payloadValue(): { ok: true; value: unknown } | { ok: false } {
    if (draft.json || !fields) {
      const parsed = parseJson(draft.text);
      if (!parsed.ok) setProblems((found) => ({ ...found, payload: parsed.error }));
      return parsed.ok ? { ok: true, value: parsed.value } : { ok: false };
    }
    const built = buildPayload(fields, draft.raw);
    if (!built.ok) setProblems((found) => ({ ...found, fields: built.errors }));
    return built.ok ? { ok: true, value: built.value } : { ok: false };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const schedule = scheduleFromDelay(delay);
    setProblems(schedule.ok ? {} : { delay: schedule.error });
    const payload = payloadValue();
    if (!payload.ok || !schedule.ok) return;
    setBusy(true);
    setError(null);
    try {
      const task = await unwrap(
        api.POST("/tasks", {
          body: { task_type: taskType, payload: payload.value, priority, scheduled_at: schedule.value },
        }),
      );
      toast.show(`Task ${task.id.slice(0, 8)} created.`, "success");
      await navigate({ to: "/admin/tasks/$taskId", params: { taskId: task.id } });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const showJson = draft.json || !fields;
  return (
    <>
      <PageHeader
        title="New task"
        description="Queue a background job. The fields follow the type's payload schema; switch to JSON for anything else."
      />
      <Card>
        <form onSubmit={submit} noValidate className="flex max-w-2xl flex-col gap-4" aria-label="Create task">
          {error ? <ErrorNotice error={error} /> : null}
          {types.error ? <ErrorNotice error={types.error} /> : null}
          <SelectField
            label="Task type"
            name="task_type"
            value={taskType}
            onChange={(e) => chooseType(e.target.value)}
            options={choices((types.data ?? []).map((t) => t.task_type))}
            hint={selected?.description ?? undefined}
            required
          />
          {fields ? (
            <label className="inline-flex items-center gap-2 self-start text-sm">
              <input
                type="checkbox"
                role="switch"
                aria-checked={draft.json}
                checked={draft.json}
                onChange={(e) => toggleJson(e.target.checked)}
                className="h-4 w-4"
              />
              Edit as JSON
            </label>
          ) : taskType ? (
            <p className="text-sm text-slate-500">This type publishes no payload schema: write its payload as JSON.</p>
          ) : null}
          {showJson ? (
            <TextArea
              label="Payload (JSON)"
              name="payload"
              rows={10}
              value={draft.text}
              onChange={(e) => setDraft({ ...draft, text: e.target.value })}
              error={problems.payload}
              spellCheck={false}
            />
          ) : (
            <SchemaFields
              fields={fields}
              values={draft.raw}
              errors={problems.fields ?? {}}
              onChange={(name, value) => {
                setDraft({ ...draft, raw: { ...draft.raw, [name]: value } });
                setProblems(({ fields: { [name]: _fixed, ...rest } = {}, ...others }) => ({ ...others, fields: rest }));
              }}
            />
          )}
          <div className="grid gap-4 sm:grid-cols-2">
            <SelectField
              label="Priority"
              name="priority"
              value={priority}
              onChange={(e) => setPriority(e.target.value)}
              options={choices(PRIORITIES)}
            />
            <TextField
              label="Start after (seconds)"
              name="delay"
              inputMode="numeric"
              placeholder="0 = now"
              value={delay}
              onChange={(e) => setDelay(e.target.value)}
              error={problems.delay}
            />
          </div>
          <div className="flex gap-2">
            <Button type="submit" busy={busy} disabled={!taskType}>
              Create task
            </Button>
            <Button variant="secondary" onClick={() => chooseType(taskType)} disabled={!taskType}>
              Reset payload
            </Button>
          </div>
        </form>
      </Card>
    </>
  );
}
