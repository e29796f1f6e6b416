/// <reference types="vitest/config" />
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
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

/** Swagger UI for /api-docs: the server serves these files from dist/api-docs/ (no CDN). */
const SWAGGER_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"];

function apiDocsAssets(): Plugin {
  return {
    name: "starter-api-docs-assets",
    apply: "build",
    closeBundle() {
      const source = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
      const target = resolve(outDir, "api-docs");
      mkdirSync(target, { recursive: true });
      for (const file of SWAGGER_FILES) copyFileSync(resolve(source, file), resolve(target, file));
    },
  };
}

const apiTarget = process.env.STARTER_API_URL ?? "http://localhost:3000";

export default defineConfig({
  plugins: [react(), tailwindcss(), routeManifest(), apiDocsAssets()],
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
