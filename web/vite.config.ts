/// <reference types="vitest/config" />
import { writeFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { SPA_ROUTES } from "./src/routeManifest.ts";

const outDir = resolve(import.meta.dirname, "../src/starter/web/dist");

/** Emit routes.json: the server answers 200 for these SPA paths and 404 for the rest. */
function routeManifest(): Plugin {
  return {
    name: "starter-route-manifest",
    apply: "build",
    closeBundle() {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(resolve(outDir, "routes.json"), JSON.stringify({ routes: SPA_ROUTES }, null, 2));
    },
  };
}

const apiTarget = process.env.STARTER_API_URL ?? "http://localhost:3000";

export default defineConfig({
  plugins: [react(), tailwindcss(), routeManifest()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/api-docs": { target: apiTarget, changeOrigin: false },
    },
  },
  test: {
    environment: "jsdom",
    globals: false,
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
