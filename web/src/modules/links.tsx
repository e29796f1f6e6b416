import { Link, useNavigate } from "@tanstack/react-router";
import type { ReactNode } from "react";

// Module pages join the router from the registry at run time, so the router's static path
// types do not list them: these two take any path under /admin.

export function ModuleLink({ to, className, children }: { to: string; className?: string; children: ReactNode }) {
  return (
    <Link to={to as never} className={className}>
      {children}
    </Link>
  );
}

export function useModuleNavigate(): (to: string) => Promise<void> {
  const navigate = useNavigate();
  return (to) => navigate({ to: to as never });
}
