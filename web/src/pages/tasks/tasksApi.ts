/** The task console's server calls: queue metrics, bulk actions, attempts and the searched list. */
import { api, unwrap } from "../../api/client";
import type { Task } from "../../api/types";
import { listWithTotal, loose, type Listed } from "../../lib/listing";

export const METRIC_WINDOWS = ["1h", "24h", "7d"] as const;
export type MetricWindow = (typeof METRIC_WINDOWS)[number];

export interface MetricBucket {
  start: string;
  created: number;
  completed: number;
  failed: number;
}

export interface TypeMetrics {
  task_type: string;
  pending: number;
  running: number;
  oldest_pending_age_seconds: number | null;
  wait_p50_ms: number | null;
  wait_p95_ms: number | null;
  run_p50_ms: number | null;
  run_p95_ms: number | null;
  completed: number;
  failed: number;
  failure_rate: number | null;
}

export interface WorkerMetrics {
  id: string;
  hostname: string;
  last_heartbeat_at: string;
  in_flight: number;
}

export interface QueueMetrics {
  window: MetricWindow;
  bucket_seconds: number;
  buckets: MetricBucket[];
  types: TypeMetrics[];
  workers: WorkerMetrics[];
  generated_at: string;
}

export function fetchQueueMetrics(window: MetricWindow): Promise<QueueMetrics> {
  return unwrap(loose.GET<QueueMetrics>("/tasks/metrics", { params: { query: { window } } }));
}

export const BULK_ACTIONS = ["retry", "cancel", "delete"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export interface BulkFilter {
  status?: string;
  task_type?: string;
  created_before?: string;
}
export interface BulkOutcome {
  id: string;
  outcome: "ok" | "not_found" | "invalid_state";
  message?: string | null;
}
export interface BulkResult {
  action: string;
  matched: number;
  succeeded: number;
  failed: number;
  results: BulkOutcome[];
}

export function bulkTasks(action: BulkAction, target: { ids: string[] } | { filter: BulkFilter }): Promise<BulkResult> {
  return unwrap(loose.POST<BulkResult>("/tasks/bulk", { body: { action, ...target } }));
}

export interface Attempt {
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  outcome: string;
  error: string | null;
  traceback?: string | null;
}

export function fetchAttempts(id: string): Promise<Attempt[]> {
  return unwrap(loose.GET<Attempt[]>("/tasks/{id}/attempts", { params: { path: { id } } }));
}

export const TASK_SORTS = ["-created_at", "created_at", "-priority", "priority", "status", "-status"] as const;

export interface TaskSearch {
  limit: number;
  offset: number;
  id?: string;
  task_type?: string;
  status?: string;
  priority?: string;
  created_after?: string;
  created_before?: string;
  q?: string;
  sort?: string;
}

export function searchTasks(query: TaskSearch): Promise<Listed<Task>> {
  return listWithTotal(api.GET("/tasks", { params: { query } as never }));
}

export function countFailed(filter: BulkFilter): Promise<Listed<Task>> {
  return searchTasks({ limit: 1, offset: 0, status: "failed", ...filter });
}
