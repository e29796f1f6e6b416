/**
 * zod building blocks derived from the API's own types: enum fields validate against the lists the
 * server publishes (enums.ts), so a form's choices and the server's cannot drift apart.
 */
import { z } from "zod";
import { EVENT_TYPES, INCIDENT_STATUSES, METRIC_TYPES, PRIORITIES, ROLES, SEVERITIES, TASK_STATUSES } from "./types";

/** `z.enum` over a generated value list (which is typed as an array, not a tuple). */
export function zEnum<const V extends string>(values: readonly V[]) {
  if (values.length === 0) throw new Error("an enum needs at least one value");
  return z.enum(values as unknown as readonly [V, ...V[]]);
}

export const taskStatusSchema = zEnum(TASK_STATUSES);
export const prioritySchema = zEnum(PRIORITIES);
export const severitySchema = zEnum(SEVERITIES);
export const incidentStatusSchema = zEnum(INCIDENT_STATUSES);
export const eventTypeSchema = zEnum(EVENT_TYPES);
export const metricTypeSchema = zEnum(METRIC_TYPES);
export const roleSchema = zEnum(ROLES);

/** A required text field: trimmed, not blank, at most `max` characters. */
export function requiredText(label: string, max: number) {
  return z.string().trim().min(1, `${label} is required.`).max(max, `${label} is at most ${max} characters.`);
}

/** The same email rule the server applies to accounts. */
export const emailSchema = z
  .string()
  .trim()
  .regex(/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/, "Enter a valid email address.");
