/**
 * Every page of the SPA. Page modules are loaded lazily (route-level code splitting), so the
 * initial bundle holds only the shell and the router (forms and their zod schemas load with their pages).
 */
import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
  type RouteComponent,
} from "@tanstack/react-router";
import { setUnauthorizedHandler } from "./api/client";
import { atLeast, fetchMe, type Role, type SessionUser } from "./auth/session";
import { AppShell } from "./pages/AppShell";
import { NotFoundPage } from "./pages/NotFoundPage";
import { queryKeys } from "./lib/queryKeys";
import { FEATURE_MODULES } from "./modules/registry";
import { ADMIN_PATHS, ADMIN_ROOT, PUBLIC_PATHS, SPA_ROUTES } from "./routeManifest";

export interface RouterContext {
  queryClient: QueryClient;
}

async function currentUser(queryClient: QueryClient): Promise<SessionUser | null> {
  return queryClient.ensureQueryData({ queryKey: queryKeys.me, queryFn: fetchMe });
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: PUBLIC_PATHS.home,
  beforeLoad: async ({ context }) => {
    const user = await currentUser(context.queryClient);
    throw redirect({ to: user ? ADMIN_ROOT : PUBLIC_PATHS.login });
  },
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: PUBLIC_PATHS.login,
  validateSearch: (search: Record<string, unknown>): { redirect?: string } =>
    typeof search.redirect === "string" ? { redirect: search.redirect } : {},
  component: lazyRouteComponent(() => import("./pages/LoginPage"), "LoginPage"),
});

const registerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: PUBLIC_PATHS.register,
  component: lazyRouteComponent(() => import("./pages/RegisterPage"), "RegisterPage"),
});

/** Recovery and verification: public, since the email's link is opened signed out too. */
const accountRoutes = [
  createRoute({
    getParentRoute: () => rootRoute,
    path: PUBLIC_PATHS.forgotPassword,
    component: lazyRouteComponent(() => import("./pages/account/ForgotPasswordPage"), "ForgotPasswordPage"),
  }),
  createRoute({
    getParentRoute: () => rootRoute,
    path: PUBLIC_PATHS.checkInbox,
    validateSearch: (search: Record<string, unknown>): { email?: string } =>
      typeof search.email === "string" ? { email: search.email } : {},
    component: lazyRouteComponent(() => import("./pages/account/ForgotPasswordPage"), "CheckInboxPage"),
  }),
  createRoute({
    getParentRoute: () => rootRoute,
    path: PUBLIC_PATHS.resetPassword,
    component: lazyRouteComponent(() => import("./pages/account/ResetPasswordPage"), "ResetPasswordPage"),
  }),
  createRoute({
    getParentRoute: () => rootRoute,
    path: PUBLIC_PATHS.verifyEmail,
    component: lazyRouteComponent(() => import("./pages/account/VerifyEmailPage"), "VerifyEmailPage"),
  }),
];

/** Everything under /admin needs a session; the server still enforces every rule. */
const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: ADMIN_ROOT,
  beforeLoad: async ({ context, location }) => {
    const user = await currentUser(context.queryClient);
    if (!user) throw redirect({ to: PUBLIC_PATHS.login, search: { redirect: location.href } });
    return { user };
  },
  component: AppShell,
});

/** Role-gated pages redirect to the dashboard; the server still answers 403 on its own. */
function page<const P extends string>(path: P, component: RouteComponent, minimum?: Role) {
  return createRoute({
    getParentRoute: () => adminRoute,
    path,
    beforeLoad: ({ context }) => {
      if (minimum && !atLeast(context.user.role, minimum)) throw redirect({ to: ADMIN_ROOT });
    },
    component,
  });
}

const adminPages = [
  page(
    ADMIN_PATHS.dashboard,
    lazyRouteComponent(() => import("./pages/DashboardPage"), "DashboardPage"),
  ),
  page(
    ADMIN_PATHS.tasks,
    lazyRouteComponent(() => import("./pages/tasks/TasksPage"), "TasksPage"),
  ),
  page(
    ADMIN_PATHS.newTask,
    lazyRouteComponent(() => import("./pages/tasks/NewTaskPage"), "NewTaskPage"),
  ),
  page(
    ADMIN_PATHS.queue,
    lazyRouteComponent(() => import("./pages/tasks/QueuePage"), "QueuePage"),
  ),
  page(
    ADMIN_PATHS.deadLetter,
    lazyRouteComponent(() => import("./pages/tasks/DeadLetterPage"), "DeadLetterPage"),
  ),
  page(
    ADMIN_PATHS.task,
    lazyRouteComponent(() => import("./pages/tasks/TaskDetailPage"), "TaskDetailPage"),
  ),
  page(
    ADMIN_PATHS.users,
    lazyRouteComponent(() => import("./pages/users/UsersPage"), "UsersPage"),
    "moderator",
  ),
  page(
    ADMIN_PATHS.newUser,
    lazyRouteComponent(() => import("./pages/users/NewUserPage"), "NewUserPage"),
    "admin",
  ),
  page(
    ADMIN_PATHS.user,
    lazyRouteComponent(() => import("./pages/users/UserDetailPage"), "UserDetailPage"),
  ),
  page(
    ADMIN_PATHS.analytics,
    lazyRouteComponent(() => import("./pages/users/AnalyticsPage"), "AnalyticsPage"),
    "admin",
  ),
  page(
    ADMIN_PATHS.notes,
    lazyRouteComponent(() => import("./pages/notes/NotesPage"), "NotesPage"),
  ),
  page(
    ADMIN_PATHS.newNote,
    lazyRouteComponent(() => import("./pages/notes/NoteEditorPage"), "NewNotePage"),
  ),
  page(
    ADMIN_PATHS.noteSearch,
    lazyRouteComponent(() => import("./pages/notes/NoteSearchPage"), "NoteSearchPage"),
  ),
  page(
    ADMIN_PATHS.note,
    lazyRouteComponent(() => import("./pages/notes/NoteEditorPage"), "NoteEditorPage"),
  ),
  page(
    ADMIN_PATHS.noteHistory,
    lazyRouteComponent(() => import("./pages/notes/NoteHistoryPage"), "NoteHistoryPage"),
  ),
  page(
    ADMIN_PATHS.profile,
    lazyRouteComponent(() => import("./pages/ProfilePage"), "ProfilePage"),
  ),
  page(
    ADMIN_PATHS.health,
    lazyRouteComponent(() => import("./pages/HealthPage"), "HealthPage"),
  ),
  page(
    ADMIN_PATHS.monitoring,
    lazyRouteComponent(() => import("./pages/monitoring/MonitoringPage"), "MonitoringPage"),
  ),
  page(
    ADMIN_PATHS.events,
    lazyRouteComponent(() => import("./pages/monitoring/EventsPage"), "EventsPage"),
  ),
  page(
    ADMIN_PATHS.metrics,
    lazyRouteComponent(() => import("./pages/monitoring/MetricsPage"), "MetricsPage"),
  ),
  page(
    ADMIN_PATHS.alerts,
    lazyRouteComponent(() => import("./pages/monitoring/AlertsPage"), "AlertsPage"),
    "moderator",
  ),
  page(
    ADMIN_PATHS.incidents,
    lazyRouteComponent(() => import("./pages/monitoring/IncidentsPage"), "IncidentsPage"),
  ),
  page(
    ADMIN_PATHS.incident,
    lazyRouteComponent(() => import("./pages/monitoring/IncidentDetailPage"), "IncidentDetailPage"),
  ),
  page(
    ADMIN_PATHS.stats,
    lazyRouteComponent(() => import("./pages/monitoring/StatsPage"), "StatsPage"),
    "moderator",
  ),
  ...FEATURE_MODULES.flatMap((module) => module.pages.map((p) => page(p.path, p.component, p.minimum))),
];

const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  registerRoute,
  ...accountRoutes,
  adminRoute.addChildren(adminPages),
]);

export function buildRouter(queryClient: QueryClient) {
  const router = createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    scrollRestoration: true,
  });
  setUnauthorizedHandler(() => {
    queryClient.setQueryData(queryKeys.me, null);
    const here = window.location.pathname + window.location.search;
    // Only signed-in pages need a session; public pages (login, register, 404) stay put.
    if (window.location.pathname === ADMIN_ROOT || window.location.pathname.startsWith(`${ADMIN_ROOT}/`)) {
      void router.navigate({ to: PUBLIC_PATHS.login, search: { redirect: here } });
    }
  });
  return router;
}

/** Every router path must be in the manifest the server reads (checked by a unit test). */
export function routerPaths(): string[] {
  const path = (route: { options: unknown }) => (route.options as { path?: string }).path ?? "";
  const paths = [indexRoute, loginRoute, registerRoute, ...accountRoutes].map(path);
  paths.push(ADMIN_ROOT);
  for (const child of adminPages) paths.push(`${ADMIN_ROOT}${path(child)}`.replace(/\/$/, ""));
  return [...new Set(paths)];
}
export const MANIFEST: readonly string[] = SPA_ROUTES;

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof buildRouter>;
  }
}
