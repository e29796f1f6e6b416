/** Short names for the generated API shapes the pages use. */
import * as enums from "./enums";
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

/** Enum values as the server lists them (generated into enums.ts by `make web-schema`). */
export const TASK_STATUSES = enums.taskResponseStatusValues;
export const PRIORITIES = enums.taskResponsePriorityValues;
export const SEVERITIES = enums.incidentSeverityValues;
export const INCIDENT_STATUSES = enums.incidentStatusValues;
export const EVENT_TYPES = enums.eventEvent_typeValues;
export const METRIC_TYPES = enums.metricMetric_typeValues;
export const ROLES = enums.userProfileRoleValues;
export const ALERT_STATUSES = enums.alertStatusValues;
export const SHARE_PERMISSIONS = enums.shareNoteRequestPermissionValues;
export const USER_STATUS_FILTERS = enums.userStatusFilterValues;

export type TaskStatus = Task["status"];
export type Priority = Task["priority"];
export type Severity = Schemas["Incident"]["severity"];
export type IncidentStatus = Schemas["Incident"]["status"];

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
