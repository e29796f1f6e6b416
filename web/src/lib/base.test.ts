import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { prioritySchema, roleSchema, taskStatusSchema, zEnum } from "../api/validation";
import { TASK_STATUSES } from "../api/types";
import { ADMIN_PATHS, adminPath, SPA_ROUTES } from "../routeManifest";
import { loginSchema, registrationSchema, resetPasswordSchema } from "./accountSchemas";
import { queryKeys } from "./queryKeys";
import { isDark, THEME_KEY } from "./theme";

describe("queryKeys", () => {
  it("nests every key under its domain's prefix, so invalidating the prefix reaches it", () => {
    const prefix = (key: readonly unknown[], of: readonly unknown[]) => of.every((part, i) => key[i] === part);
    expect(prefix(queryKeys.tasks.list({ limit: 5 }), queryKeys.tasks.lists())).toBe(true);
    expect(prefix(queryKeys.tasks.detail("t1"), queryKeys.tasks.all)).toBe(true);
    expect(prefix(queryKeys.monitoring.incidents.list(0), queryKeys.monitoring.all)).toBe(true);
    expect(prefix(queryKeys.notes.shares("n1"), queryKeys.notes.note("n1"))).toBe(true);
    expect(prefix(queryKeys.sessions(), queryKeys.sessionsAll)).toBe(true);
  });
});

describe("zod enums from the OpenAPI document", () => {
  it("accept the server's values and nothing else", () => {
    expect(taskStatusSchema.options).toEqual([...TASK_STATUSES]);
    expect(taskStatusSchema.safeParse("completed").success).toBe(true);
    expect(taskStatusSchema.safeParse("done").success).toBe(false);
    expect(prioritySchema.safeParse("critical").success).toBe(true);
    expect(roleSchema.safeParse("root").success).toBe(false);
    expect(() => zEnum([])).toThrow();
  });
});

describe("account schemas", () => {
  it("name each field's first problem", () => {
    const bad = registrationSchema.safeParse({ username: "x", email: "nope", password: "short", confirm: "other" });
    expect(bad.success).toBe(false);
    const fields = bad.error?.issues.map((issue) => issue.path[0]);
    expect(fields).toEqual(expect.arrayContaining(["username", "email", "password"]));
    expect(loginSchema.safeParse({ identifier: "  ", password: "x" }).success).toBe(false);
  });

  it("check a new password against the rules and its confirmation", () => {
    expect(resetPasswordSchema.safeParse({ new_password: "abcdefgh", confirm: "abcdefgh" }).success).toBe(false);
    const mismatch = resetPasswordSchema.safeParse({ new_password: "Abcdefg1", confirm: "Abcdefg2" });
    expect(mismatch.error?.issues[0]?.path).toEqual(["confirm"]);
    expect(resetPasswordSchema.safeParse({ new_password: "Abcdefg1", confirm: "Abcdefg1" }).success).toBe(true);
  });
});

describe("route paths", () => {
  it("are written once: the manifest holds every admin page under /admin", () => {
    expect(adminPath("dashboard")).toBe("/admin");
    expect(adminPath("task")).toBe("/admin/tasks/$taskId");
    for (const name of Object.keys(ADMIN_PATHS) as (keyof typeof ADMIN_PATHS)[])
      expect(SPA_ROUTES).toContain(adminPath(name));
  });
});

describe("theme", () => {
  it("is dark when chosen, or on system when the system is", () => {
    expect(isDark("dark", false)).toBe(true);
    expect(isDark("light", true)).toBe(false);
    expect(isDark("system", true)).toBe(true);
    expect(isDark("system", false)).toBe(false);
  });

  it("is applied by index.html's inline script under the same key", () => {
    const html = readFileSync(resolve(import.meta.dirname, "../../index.html"), "utf8");
    expect(html).toContain(`localStorage.getItem("${THEME_KEY}")`);
    expect(html).toContain("prefers-color-scheme: dark");
  });
});
