/**
 * Every path the SPA defines. The build writes these to routes.json; the server answers
 * index.html with 200 for them and with 404 for anything else (so the SPA shows Not Found).
 * `$name` segments match any single path segment. Generated modules add theirs (modules/).
 */
import { MODULE_ROUTES } from "./modules/registry";

const CORE_ROUTES = [
  "/",
  "/auth/login",
  "/auth/register",
  "/auth/forgot-password",
  "/auth/check-inbox",
  "/auth/reset-password",
  "/auth/verify-email",
  "/admin",
  "/admin/tasks",
  "/admin/tasks/new",
  "/admin/tasks/dead-letter",
  "/admin/tasks/$taskId",
  "/admin/users",
  "/admin/users/new",
  "/admin/users/$userId",
  "/admin/analytics",
  "/admin/notes",
  "/admin/notes/new",
  "/admin/notes/search",
  "/admin/notes/$noteId",
  "/admin/notes/$noteId/history",
  "/admin/profile",
  "/admin/health",
  "/admin/monitoring",
  "/admin/monitoring/events",
  "/admin/monitoring/metrics",
  "/admin/monitoring/alerts",
  "/admin/monitoring/incidents",
  "/admin/monitoring/incidents/$incidentId",
  "/admin/monitoring/stats",
] as const;

export const SPA_ROUTES: readonly string[] = [...CORE_ROUTES, ...MODULE_ROUTES];

export type SpaRoute = (typeof CORE_ROUTES)[number];
