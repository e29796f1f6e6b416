/** Turning stored rows into chart series (pure, so it is unit-tested). */
import type { Metric, Task } from "../api/types";

export interface ThroughputPoint {
  hour: string;
  created: number;
  completed: number;
  failed: number;
}

/** Tasks created / completed / failed per hour over the last `hours` hours, oldest first. */
export function taskThroughput(tasks: readonly Task[], hours = 24, now: number = Date.now()): ThroughputPoint[] {
  const hourMs = 3_600_000;
  const end = Math.floor(now / hourMs) * hourMs + hourMs;
  const start = end - hours * hourMs;
  const points: ThroughputPoint[] = [];
  for (let i = 0; i < hours; i++) {
    const at = new Date(start + i * hourMs);
    points.push({ hour: `${String(at.getHours()).padStart(2, "0")}:00`, created: 0, completed: 0, failed: 0 });
  }
  const bucket = (value: string | null | undefined): ThroughputPoint | undefined => {
    if (!value) return undefined;
    const time = new Date(value).getTime();
    if (Number.isNaN(time) || time < start || time >= end) return undefined;
    return points[Math.floor((time - start) / hourMs)];
  };
  for (const task of tasks) {
    const created = bucket(task.created_at);
    if (created) created.created += 1;
    const finished = bucket(task.completed_at);
    if (finished && task.status === "completed") finished.completed += 1;
    if (finished && task.status === "failed") finished.failed += 1;
  }
  return points;
}

/** Counts of tasks per status, every status present (0 when none). */
export function countByStatus(tasks: readonly Task[], statuses: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(statuses.map((status) => [status, 0]));
  for (const task of tasks) counts[task.status] = (counts[task.status] ?? 0) + 1;
  return counts;
}

export interface MetricPoint {
  time: number;
  value: number;
}

/** One metric's points in time order (the API lists newest first). */
export function metricSeries(metrics: readonly Metric[], name: string): MetricPoint[] {
  return metrics
    .filter((metric) => metric.name === name)
    .map((metric) => ({ time: new Date(metric.recorded_at).getTime(), value: metric.value }))
    .sort((a, b) => a.time - b.time);
}
