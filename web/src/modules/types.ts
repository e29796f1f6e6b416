import type { RouteComponent } from "@tanstack/react-router";
import type { Role } from "../auth/session";

/** A page under /admin (`path` starts with "/"), shown to `minimum` and above. */
export interface ModulePage {
  path: string;
  component: RouteComponent;
  minimum?: Role;
}

/** What a generated module gives the SPA: its pages and its sidebar section. */
export interface FeatureModule {
  name: string;
  pages: ModulePage[];
  nav: { title: string; items: { to: string; label: string; minimum?: Role }[] };
}
