import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { atLeast, useSession, type Role } from "../auth/session";
import { Button } from "../components/Button";
import { ThemeSelect } from "../components/ThemeSelect";
import { useToast } from "../components/Toast";
import { LiveIndicator, LiveUpdatesProvider } from "../live/LiveUpdates";
import { FEATURE_MODULES } from "../modules/registry";
import { adminPath, PUBLIC_PATHS } from "../routeManifest";
import { VerificationBanner } from "./account/VerificationBanner";

interface NavItem {
  to: string;
  label: string;
  minimum?: Role;
}

/** The sidebar mirrors the server's role rules; the server still enforces them. */
export const NAV_SECTIONS: ReadonlyArray<{ title: string; items: NavItem[] }> = [
  {
    title: "Overview",
    items: [
      { to: adminPath("dashboard"), label: "Dashboard" },
      { to: adminPath("health"), label: "Health" },
    ],
  },
  {
    title: "Tasks",
    items: [
      { to: adminPath("tasks"), label: "All tasks" },
      { to: adminPath("newTask"), label: "New task" },
      { to: adminPath("queue"), label: "Queue" },
      { to: adminPath("deadLetter"), label: "Dead letter", minimum: "moderator" },
    ],
  },
  {
    title: "Users",
    items: [
      { to: adminPath("users"), label: "Users", minimum: "moderator" },
      { to: adminPath("newUser"), label: "Create user", minimum: "admin" },
      { to: adminPath("analytics"), label: "User analytics", minimum: "admin" },
    ],
  },
  {
    title: "Monitoring",
    items: [
      { to: adminPath("monitoring"), label: "Overview" },
      { to: adminPath("events"), label: "Events" },
      { to: adminPath("metrics"), label: "Metrics" },
      { to: adminPath("alerts"), label: "Alerts", minimum: "moderator" },
      { to: adminPath("incidents"), label: "Incidents" },
      { to: adminPath("stats"), label: "System stats", minimum: "moderator" },
    ],
  },
  {
    title: "Notes",
    items: [
      { to: adminPath("notes"), label: "My notes" },
      { to: adminPath("noteSearch"), label: "Search notes" },
    ],
  },
  ...FEATURE_MODULES.map((module) => module.nav),
  { title: "Account", items: [{ to: adminPath("profile"), label: "My profile" }] },
];

export function visibleSections(role: Role | undefined) {
  return NAV_SECTIONS.map((section) => ({
    ...section,
    items: section.items.filter((item) => !item.minimum || atLeast(role, item.minimum)),
  })).filter((section) => section.items.length > 0);
}

export function AppShell() {
  const { user, logout } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const [menuOpen, setMenuOpen] = useState(false);

  async function signOut() {
    await logout();
    toast.show("Signed out.", "success");
    await navigate({ to: PUBLIC_PATHS.login });
  }

  return (
    <LiveUpdatesProvider>
      <div className="min-h-screen md:flex">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2"
        >
          Skip to content
        </a>
        <header className="flex items-center justify-between border-b border-slate-200 bg-white px-4 py-3 md:hidden">
          <span className="font-semibold">starter</span>
          <LiveIndicator />
          <Button
            variant="secondary"
            aria-expanded={menuOpen}
            aria-controls="sidebar"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </Button>
        </header>
        <nav
          id="sidebar"
          aria-label="Main"
          className={`${menuOpen ? "block" : "hidden"} w-full border-r border-slate-200 bg-white md:block md:min-h-screen md:w-60 md:shrink-0`}
        >
          <div className="hidden items-center justify-between px-5 py-4 md:flex">
            <span className="text-lg font-semibold">starter</span>
            <LiveIndicator />
          </div>
          {visibleSections(user?.role).map((section) => (
            <div key={section.title} className="px-3 pb-3">
              <p className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{section.title}</p>
              <ul>
                {section.items.map((item) => (
                  <li key={item.to}>
                    <Link
                      to={item.to}
                      activeOptions={{ exact: true }}
                      className="block rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100 [&.active]:bg-brand-50 [&.active]:font-medium [&.active]:text-brand-700"
                      onClick={() => setMenuOpen(false)}
                    >
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
          <div className="border-t border-slate-200 px-5 py-4 text-sm">
            <p className="truncate font-medium" data-testid="current-user">
              {user?.username}
            </p>
            <p className="mb-2 text-xs text-slate-500">{user?.role}</p>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <Button variant="secondary" onClick={signOut}>
                Sign out
              </Button>
              <ThemeSelect />
            </div>
          </div>
        </nav>
        <main id="main" className="min-w-0 flex-1 p-4 md:p-8">
          <VerificationBanner />
          <Outlet />
        </main>
      </div>
    </LiveUpdatesProvider>
  );
}
