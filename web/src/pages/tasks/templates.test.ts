import { describe, expect, it } from "vitest";
import { parseJson, parseJsonObject } from "../../lib/json";
import { payloadTemplate, scheduleFromDelay, templateText } from "./templates";

const BUILT_IN = ["email", "webhook", "data_processing", "file_cleanup", "report_generation", "delay_task"];

describe("payload templates", () => {
  it("gives every built-in type the fields its handler requires", () => {
    const required: Record<string, string[]> = {
      email: ["to", "subject", "body"],
      webhook: ["url"],
      data_processing: ["data", "operation"],
      file_cleanup: ["file_path"],
      report_generation: ["report_type", "start_date", "end_date"],
      delay_task: ["delay_seconds"],
    };
    for (const type of BUILT_IN) {
      const template = payloadTemplate(type) as Record<string, unknown>;
      for (const field of required[type] ?? []) expect(template, `${type}.${field}`).toHaveProperty(field);
    }
  });

  it("renders templates as JSON that parses back", () => {
    for (const type of BUILT_IN) {
      const parsed = parseJson(templateText(type));
      expect(parsed.ok).toBe(true);
    }
  });

  it("uses a date range ending today for reports", () => {
    const now = new Date("2025-03-10T12:00:00Z");
    expect(payloadTemplate("report_generation", now)).toMatchObject({
      start_date: "2025-03-03",
      end_date: "2025-03-10",
    });
  });

  it("falls back to an empty object for unknown types", () => {
    expect(templateText("custom")).toBe("{}");
  });
});

describe("JSON validation", () => {
  it("accepts any JSON value, including null", () => {
    expect(parseJson("null")).toEqual({ ok: true, value: null });
    expect(parseJson('[1, "a"]')).toEqual({ ok: true, value: [1, "a"] });
  });

  it("rejects empty and malformed input with a message", () => {
    expect(parseJson("  ")).toEqual({ ok: false, error: "Enter a JSON value (use null for none)." });
    const bad = parseJson("{to: 1}");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^Invalid JSON: /);
  });

  it("requires an object where one is expected", () => {
    expect(parseJsonObject("", "Tags")).toEqual({ ok: true, value: {} });
    expect(parseJsonObject("[1]", "Tags")).toEqual({ ok: false, error: "Tags must be a JSON object." });
    expect(parseJsonObject('{"env": "prod"}', "Tags")).toEqual({ ok: true, value: { env: "prod" } });
  });
});

describe("scheduleFromDelay", () => {
  it("means now when empty or zero", () => {
    expect(scheduleFromDelay("")).toEqual({ ok: true, value: null });
    expect(scheduleFromDelay("0")).toEqual({ ok: true, value: null });
  });

  it("adds the delay to now", () => {
    expect(scheduleFromDelay("90", Date.UTC(2025, 0, 1))).toEqual({ ok: true, value: "2025-01-01T00:01:30.000Z" });
  });

  it("rejects non-numbers and delays beyond a year", () => {
    expect(scheduleFromDelay("-5")).toEqual({ ok: false, error: "Enter a whole number of seconds." });
    expect(scheduleFromDelay(String(366 * 86_400))).toEqual({
      ok: false,
      error: "Tasks cannot be scheduled more than 365 days ahead.",
    });
  });
});
