/**
 * Every path the SPA defines, written once: router.tsx builds its routes from these names, and the
 * build writes the full list to routes.json, so the server answers index.html with 200 for them and
 * with 404 for anything else (so the SPA shows Not Found). `$name` segments match any single path
 * segment. Generated modules add theirs (modules/). No React here: vite.config.ts imports this file.
 */
import { MODULE_ROUTES } from "./modules/registry";

/** Pages outside the signed-in area. */
export const PUBLIC_PATHS = {
  home: "/",
  login: "/auth/login",
  register: "/auth/register",
  forgotPassword: "/auth/forgot-password",
  checkInbox: "/auth/check-inbox",
  resetPassword: "/auth/reset-password",
  verifyEmail: "/auth/verify-email",
} as const;

export const ADMIN_ROOT = "/admin";

/** Pages under /admin, relative to it. */
export const ADMIN_PATHS = {
  dashboard: "/",
  tasks: "/tasks",
  newTask: "/tasks/new",
  queue: "/tasks/queue",
  deadLetter: "/tasks/dead-letter",
  task: "/tasks/$taskId",
  users: "/users",
  newUser: "/users/new",
  user: "/users/$userId",
  analytics: "/analytics",
  notes: "/notes",
  newNote: "/notes/new",
  noteSearch: "/notes/search",
  note: "/notes/$noteId",
  noteHistory: "/notes/$noteId/history",
  profile: "/profile",
  health: "/health",
  monitoring: "/monitoring",
  events: "/monitoring/events",
  metrics: "/monitoring/metrics",
  alerts: "/monitoring/alerts",
  incidents: "/monitoring/incidents",
  incident: "/monitoring/incidents/$incidentId",
  stats: "/monitoring/stats",
} as const;

export type AdminPage = keyof typeof ADMIN_PATHS;

/** The full path of an admin page ("/admin/tasks"; the dashboard is "/admin" itself). */
export function adminPath<const K extends AdminPage>(page: K): AdminFullPath<K> {
  const relative = ADMIN_PATHS[page];
  return (relative === "/" ? ADMIN_ROOT : `${ADMIN_ROOT}${relative}`) as AdminFullPath<K>;
}

type AdminFullPath<K extends AdminPage> = (typeof ADMIN_PATHS)[K] extends "/"
  ? "/admin"
  : `/admin${(typeof ADMIN_PATHS)[K]}`;

const CORE_ROUTES: readonly string[] = [
  ...Object.values(PUBLIC_PATHS),
  ...(Object.keys(ADMIN_PATHS) as AdminPage[]).map((page) => adminPath(page)),
];

export const SPA_ROUTES: readonly string[] = [...CORE_ROUTES, ...MODULE_ROUTES];
