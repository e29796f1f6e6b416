import { useNavigate } from "@tanstack/react-router";
import { useEffect, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { choices, PRIORITIES } from "../../api/types";
import { Button } from "../../components/Button";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { Card, ErrorNotice, PageHeader } from "../../components/Layout";
import { useToast } from "../../components/Toast";
import { parseJson } from "../../lib/json";
import { useTaskTypes } from "./TasksPage";
import { scheduleFromDelay, templateText } from "./templates";

export function NewTaskPage() {
  const navigate = useNavigate();
  const toast = useToast();
  const types = useTaskTypes();
  const [taskType, setTaskType] = useState("");
  const [payload, setPayload] = useState("");
  const [priority, setPriority] = useState("normal");
  const [delay, setDelay] = useState("");
  const [problems, setProblems] = useState<{ payload?: string; delay?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // Start with the first registered type and its template.
  useEffect(() => {
    const first = types.data?.[0]?.task_type;
    if (!taskType && first) {
      setTaskType(first);
      setPayload(templateText(first));
    }
  }, [types.data, taskType]);

  function chooseType(next: string) {
    setTaskType(next);
    setPayload(templateText(next));
    setProblems({});
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseJson(payload);
    const schedule = scheduleFromDelay(delay);
    const found = { ...(parsed.ok ? {} : { payload: parsed.error }), ...(schedule.ok ? {} : { delay: schedule.error }) };
    setProblems(found);
    if (!parsed.ok || !schedule.ok) return;
    setBusy(true);
    setError(null);
    try {
      const task = await unwrap(api.POST("/tasks", { body: { task_type: taskType, payload: parsed.value, priority, scheduled_at: schedule.value } }));
      toast.show(`Task ${task.id.slice(0, 8)} created.`, "success");
      await navigate({ to: "/admin/tasks/$taskId", params: { taskId: task.id } });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const description = types.data?.find((type) => type.task_type === taskType)?.description ?? undefined;
  return (
    <>
      <PageHeader title="New task" description="Queue a background job. Payload templates show the fields each type reads." />
      <Card>
        <form onSubmit={submit} noValidate className="flex max-w-2xl flex-col gap-4" aria-label="Create task">
          {error ? <ErrorNotice error={error} /> : null}
          {types.error ? <ErrorNotice error={types.error} /> : null}
          <SelectField label="Task type" name="task_type" value={taskType} onChange={(e) => chooseType(e.target.value)} options={choices((types.data ?? []).map((t) => t.task_type))} hint={description} required />
          <TextArea label="Payload (JSON)" name="payload" rows={10} value={payload} onChange={(e) => setPayload(e.target.value)} error={problems.payload} spellCheck={false} />
          <div className="grid gap-4 sm:grid-cols-2">
            <SelectField label="Priority" name="priority" value={priority} onChange={(e) => setPriority(e.target.value)} options={choices(PRIORITIES)} />
            <TextField label="Start after (seconds)" name="delay" inputMode="numeric" placeholder="0 = now" value={delay} onChange={(e) => setDelay(e.target.value)} error={problems.delay} />
          </div>
          <div className="flex gap-2">
            <Button type="submit" busy={busy} disabled={!taskType}>
              Create task
            </Button>
            <Button variant="secondary" onClick={() => setPayload(templateText(taskType))} disabled={!taskType}>
              Reset payload
            </Button>
          </div>
        </form>
      </Card>
    </>
  );
}
