/** Short names for the generated API shapes the pages use. */
import type { components } from "./schema";

type Schemas = components["schemas"];
export type Task = Schemas["TaskResponse"];
export type TaskStats = Schemas["TaskStats"];
export type TaskType = Schemas["TaskTypeResponse"];
export type Worker = Schemas["WorkerResponse"];
export type UserProfile = Schemas["UserProfile"];
export type UserStats = Schemas["UserStats"];
export type ApiKey = Schemas["ApiKeyResponse"];
export type ApiKeyCreated = Schemas["ApiKeyCreated"];
export type MonitoringEvent = Schemas["Event"];
export type Metric = Schemas["Metric"];
export type Alert = Schemas["Alert"];
export type Incident = Schemas["Incident"];
export type IncidentTimeline = Schemas["IncidentTimeline"];
export type MonitoringStats = Schemas["MonitoringStats"];
export type ComponentHealth = Schemas["ComponentHealth"];

export const TASK_STATUSES = ["pending", "running", "retrying", "completed", "failed", "cancelled"] as const;
export const PRIORITIES = ["low", "normal", "high", "critical"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const INCIDENT_STATUSES = ["open", "investigating", "resolved", "closed"] as const;
export const EVENT_TYPES = ["log", "metric", "trace", "alert"] as const;
export const METRIC_TYPES = ["counter", "gauge", "histogram", "summary"] as const;
export const ROLES = ["user", "moderator", "admin"] as const;

export type TaskStatus = (typeof TASK_STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** `[{value, label}]` for a SelectField, optionally led by an "any" choice. */
export function choices(values: readonly string[], any?: string): Array<{ value: string; label: string }> {
  const options = values.map((value) => ({ value, label: value }));
  return any === undefined ? options : [{ value: "", label: any }, ...options];
}
export type CreateEventBody = Schemas["CreateEventRequest"];
export type CreateMetricBody = Schemas["CreateMetricRequest"];
export type CreateAlertBody = Schemas["CreateAlertRequest"];
export type UpdateAlertBody = Schemas["UpdateAlertRequest"];
export type UpdateIncidentBody = Schemas["UpdateIncidentRequest"];
