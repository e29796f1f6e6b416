/**
 * Feature modules written by `starter generate module`: one line each, in this file only.
 * router.tsx mounts their pages under /admin, routeManifest.ts lists those paths for the
 * server, and the sidebar shows their navigation (all through ./registry.ts).
 */
export {};
// one line per module, kept by `starter generate module` / `starter revert module`
// end of modules
