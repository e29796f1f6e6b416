/** Starting payloads for the six built-in task types (the fields their handlers read). */

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function payloadTemplate(taskType: string, now: Date = new Date()): unknown {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  switch (taskType) {
    case "email":
      return {
        to: "someone@example.com",
        subject: "Hello from starter",
        body: "This message was sent by a background task.",
      };
    case "webhook":
      return { url: "https://example.com/hooks/starter", method: "POST", payload: { event: "ping" }, headers: {} };
    case "data_processing":
      return { operation: "sum", data: [3, 1, 4, 1, 5, 9, 2, 6] };
    case "file_cleanup":
      return { file_path: "tmp", max_age_hours: 24, pattern: "*", recursive: true, dry_run: true };
    case "report_generation":
      return { report_type: "tasks", start_date: isoDate(weekAgo), end_date: isoDate(now), format: "csv" };
    case "delay_task":
      return { delay_seconds: 2, task_id: "demo", test_scenario: "general" };
    default:
      return {};
  }
}

export function templateText(taskType: string, now?: Date): string {
  return JSON.stringify(payloadTemplate(taskType, now), null, 2);
}

/** `scheduled_at` for "run in N seconds" (null = now), or an error for a bad number. */
export function scheduleFromDelay(
  delay: string,
  now: number = Date.now(),
): { ok: true; value: string | null } | { ok: false; error: string } {
  const text = delay.trim();
  if (text === "" || text === "0") return { ok: true, value: null };
  if (!/^\d+$/.test(text)) return { ok: false, error: "Enter a whole number of seconds." };
  const seconds = Number(text);
  if (seconds > 365 * 86_400) return { ok: false, error: "Tasks cannot be scheduled more than 365 days ahead." };
  return { ok: true, value: new Date(now + seconds * 1000).toISOString() };
}
