import * as registered from "./index";
import type { FeatureModule } from "./types";

/** Every registered module, in the order of ./index.ts. */
export const FEATURE_MODULES: readonly FeatureModule[] = Object.values(registered as Record<string, FeatureModule>);

/** Their pages' full paths, for the route manifest the server reads. */
export const MODULE_ROUTES: readonly string[] = FEATURE_MODULES.flatMap((module) =>
  module.pages.map((page) => `/admin${page.path}`),
);
