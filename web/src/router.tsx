/**
 * Every page of the SPA. Page modules are loaded lazily (route-level code splitting), so the
 * initial bundle holds only the shell, the router and the login page.
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
import { atLeast, fetchMe, ME_KEY, type Role, type SessionUser } from "./auth/session";
import { AppShell } from "./pages/AppShell";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { FEATURE_MODULES } from "./modules/registry";
import { SPA_ROUTES } from "./routeManifest";

export interface RouterContext {
  queryClient: QueryClient;
}

async function currentUser(queryClient: QueryClient): Promise<SessionUser | null> {
  return queryClient.ensureQueryData({ queryKey: ME_KEY, queryFn: fetchMe });
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: async ({ context }) => {
    const user = await currentUser(context.queryClient);
    throw redirect({ to: user ? "/admin" : "/auth/login" });
  },
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/auth/login",
  validateSearch: (search: Record<string, unknown>): { redirect?: string } =>
    typeof search.redirect === "string" ? { redirect: search.redirect } : {},
  component: LoginPage,
});

const registerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/auth/register",
  component: lazyRouteComponent(() => import("./pages/RegisterPage"), "RegisterPage"),
});

/** Recovery and verification: public, since the email's link is opened signed out too. */
const accountRoutes = [
  createRoute({
    getParentRoute: () => rootRoute,
    path: "/auth/forgot-password",
    component: lazyRouteComponent(() => import("./pages/account/ForgotPasswordPage"), "ForgotPasswordPage"),
  }),
  createRoute({
    getParentRoute: () => rootRoute,
    path: "/auth/check-inbox",
    validateSearch: (search: Record<string, unknown>): { email?: string } => (typeof search.email === "string" ? { email: search.email } : {}),
    component: lazyRouteComponent(() => import("./pages/account/ForgotPasswordPage"), "CheckInboxPage"),
  }),
  createRoute({
    getParentRoute: () => rootRoute,
    path: "/auth/reset-password",
    component: lazyRouteComponent(() => import("./pages/account/ResetPasswordPage"), "ResetPasswordPage"),
  }),
  createRoute({
    getParentRoute: () => rootRoute,
    path: "/auth/verify-email",
    component: lazyRouteComponent(() => import("./pages/account/VerifyEmailPage"), "VerifyEmailPage"),
  }),
];

/** Everything under /admin needs a session; the server still enforces every rule. */
const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/admin",
  beforeLoad: async ({ context, location }) => {
    const user = await currentUser(context.queryClient);
    if (!user) throw redirect({ to: "/auth/login", search: { redirect: location.href } });
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
      if (minimum && !atLeast(context.user.role, minimum)) throw redirect({ to: "/admin" });
    },
    component,
  });
}

const adminPages = [
  page("/", lazyRouteComponent(() => import("./pages/DashboardPage"), "DashboardPage")),
  page("/tasks", lazyRouteComponent(() => import("./pages/tasks/TasksPage"), "TasksPage")),
  page("/tasks/new", lazyRouteComponent(() => import("./pages/tasks/NewTaskPage"), "NewTaskPage")),
  page("/tasks/dead-letter", lazyRouteComponent(() => import("./pages/tasks/DeadLetterPage"), "DeadLetterPage")),
  page("/tasks/$taskId", lazyRouteComponent(() => import("./pages/tasks/TaskDetailPage"), "TaskDetailPage")),
  page("/users", lazyRouteComponent(() => import("./pages/users/UsersPage"), "UsersPage"), "moderator"),
  page("/users/new", lazyRouteComponent(() => import("./pages/users/NewUserPage"), "NewUserPage"), "admin"),
  page("/users/$userId", lazyRouteComponent(() => import("./pages/users/UserDetailPage"), "UserDetailPage")),
  page("/analytics", lazyRouteComponent(() => import("./pages/users/AnalyticsPage"), "AnalyticsPage"), "admin"),
  page("/notes", lazyRouteComponent(() => import("./pages/notes/NotesPage"), "NotesPage")),
  page("/notes/new", lazyRouteComponent(() => import("./pages/notes/NoteEditorPage"), "NewNotePage")),
  page("/notes/search", lazyRouteComponent(() => import("./pages/notes/NoteSearchPage"), "NoteSearchPage")),
  page("/notes/$noteId", lazyRouteComponent(() => import("./pages/notes/NoteEditorPage"), "NoteEditorPage")),
  page("/notes/$noteId/history", lazyRouteComponent(() => import("./pages/notes/NoteHistoryPage"), "NoteHistoryPage")),
  page("/profile", lazyRouteComponent(() => import("./pages/ProfilePage"), "ProfilePage")),
  page("/health", lazyRouteComponent(() => import("./pages/HealthPage"), "HealthPage")),
  page("/monitoring", lazyRouteComponent(() => import("./pages/monitoring/MonitoringPage"), "MonitoringPage")),
  page("/monitoring/events", lazyRouteComponent(() => import("./pages/monitoring/EventsPage"), "EventsPage")),
  page("/monitoring/metrics", lazyRouteComponent(() => import("./pages/monitoring/MetricsPage"), "MetricsPage")),
  page("/monitoring/alerts", lazyRouteComponent(() => import("./pages/monitoring/AlertsPage"), "AlertsPage"), "moderator"),
  page("/monitoring/incidents", lazyRouteComponent(() => import("./pages/monitoring/IncidentsPage"), "IncidentsPage")),
  page("/monitoring/incidents/$incidentId", lazyRouteComponent(() => import("./pages/monitoring/IncidentDetailPage"), "IncidentDetailPage")),
  page("/monitoring/stats", lazyRouteComponent(() => import("./pages/monitoring/StatsPage"), "StatsPage"), "moderator"),
  ...FEATURE_MODULES.flatMap((module) => module.pages.map((p) => page(p.path, p.component, p.minimum))),
];

const routeTree = rootRoute.addChildren([indexRoute, loginRoute, registerRoute, ...accountRoutes, adminRoute.addChildren(adminPages)]);

export function buildRouter(queryClient: QueryClient) {
  const router = createRouter({ routeTree, context: { queryClient }, defaultPreload: "intent", scrollRestoration: true });
  setUnauthorizedHandler(() => {
    queryClient.setQueryData(ME_KEY, null);
    const here = window.location.pathname + window.location.search;
    // Only signed-in pages need a session; public pages (login, register, 404) stay put.
    if (window.location.pathname === "/admin" || window.location.pathname.startsWith("/admin/")) {
      void router.navigate({ to: "/auth/login", search: { redirect: here } });
    }
  });
  return router;
}

/** Every router path must be in the manifest the server reads (checked by a unit test). */
export function routerPaths(): string[] {
  const paths = ["/", "/auth/login", "/auth/register", "/auth/forgot-password", "/auth/check-inbox", "/auth/reset-password", "/auth/verify-email", "/admin"];
  for (const child of adminPages) paths.push(`/admin${(child.options as { path?: string }).path ?? ""}`.replace(/\/$/, ""));
  return [...new Set(paths)];
}
export const MANIFEST: readonly string[] = SPA_ROUTES;

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof buildRouter>;
  }
}
