import { describe, expect, it } from "vitest";
import { rangeLabel } from "../../lib/listing";
import { levelColor, statusColor, statusTone, TONE_HEX } from "../../lib/statusColors";
import { userBulkSummary } from "../users/usersApi";
import { bulkSummary } from "./bulk";
import { age, bucketRows, isQuiet, millis, percent, totals } from "./queueView";
import type { QueueMetrics } from "./tasksApi";
import { localToIso, sortParam, taskQuery } from "./TasksPage";

const ID = "3f2a9c1e-0000-4000-8000-000000000001";

describe("bulkSummary", () => {
  it("counts what was done and names what was skipped", () => {
    const result = {
      action: "retry",
      matched: 13,
      succeeded: 12,
      failed: 1,
      results: [{ id: ID, outcome: "invalid_state" as const, message: "is not failed" }],
    };
    expect(bulkSummary("retry", result)).toBe("12 retried, 1 skipped: 3f2a9c1e (is not failed)");
    expect(bulkSummary("delete", { ...result, failed: 0, results: [] })).toBe("12 deleted");
  });

  it("names three skipped rows and counts the rest", () => {
    const results = Array.from({ length: 5 }, (_, index) => ({
      id: `${index}`.repeat(8),
      outcome: "not_found" as const,
    }));
    expect(bulkSummary("cancel", { action: "cancel", matched: 5, succeeded: 0, failed: 5, results })).toBe(
      "0 cancelled, 5 skipped: 00000000 (not found); 11111111 (not found); 22222222 (not found) and 2 more",
    );
  });

  it("names skipped users by username", () => {
    const result = {
      action: "deactivate",
      matched: 2,
      succeeded: 1,
      failed: 1,
      results: [{ id: ID, outcome: "invalid_state" }],
    };
    expect(userBulkSummary("deactivate", result, new Map([[ID, "alice"]]))).toBe(
      "1 deactivated, 1 skipped: alice (already so)",
    );
  });
});

describe("rangeLabel", () => {
  it("shows the range and the server's total", () => {
    expect(rangeLabel(0, 20, 1234)).toBe("1–20 of 1,234");
    expect(rangeLabel(20, 5, null)).toBe("Rows 21–25");
    expect(rangeLabel(0, 0, null)).toBe("No rows");
  });
});

describe("task list query", () => {
  it("sends only the filters given, trimmed, and the sort", () => {
    const filters = {
      q: " timeout ",
      id: "",
      status: "failed",
      task_type: "",
      priority: "",
      created_after: "",
      created_before: "",
    };
    expect(taskQuery(filters, { key: "priority", direction: "asc" }, 25, 50)).toEqual({
      limit: 25,
      offset: 50,
      sort: "priority",
      q: "timeout",
      status: "failed",
    });
    expect(sortParam({ key: "created_at", direction: "desc" })).toBe("-created_at");
  });

  it("turns a local date-time into an instant", () => {
    expect(localToIso("")).toBeUndefined();
    expect(localToIso("2026-01-02T03:04")).toBe(new Date("2026-01-02T03:04").toISOString());
  });
});

const metrics: QueueMetrics = {
  window: "1h",
  bucket_seconds: 300,
  buckets: [{ start: "2026-12-02T10:00:00Z", created: 3, completed: 2, failed: 1 }],
  types: [
    {
      task_type: "email",
      pending: 4,
      running: 1,
      oldest_pending_age_seconds: 90,
      wait_p50_ms: 1500,
      wait_p95_ms: 4000,
      run_p50_ms: 20,
      run_p95_ms: 80,
      completed: 2,
      failed: 1,
      failure_rate: 1 / 3,
    },
    {
      task_type: "report",
      pending: 2,
      running: 0,
      oldest_pending_age_seconds: 600,
      wait_p50_ms: null,
      wait_p95_ms: null,
      run_p50_ms: null,
      run_p95_ms: null,
      completed: 0,
      failed: 0,
      failure_rate: null,
    },
  ],
  workers: [],
  generated_at: "2026-12-02T10:05:00Z",
};

describe("queue figures", () => {
  it("sums depth and takes the oldest wait across types", () => {
    expect(totals(metrics)).toEqual({ pending: 6, running: 1, oldest: 600, created: 3 });
    expect(isQuiet(metrics)).toBe(false);
    expect(
      isQuiet({
        ...metrics,
        types: [],
        buckets: [{ start: metrics.generated_at, created: 0, completed: 0, failed: 0 }],
      }),
    ).toBe(true);
  });

  it("formats waits, ages and rates, a dash when unknown", () => {
    expect([millis(1500), millis(20), millis(null)]).toEqual(["1.5 s", "20 ms", "—"]);
    expect([age(600), age(null)]).toEqual(["10 min", "—"]);
    expect([percent(1 / 3), percent(0.05), percent(null)]).toEqual(["33%", "5.0%", "—"]);
  });

  it("labels buckets by time of day, and by weekday over a week", () => {
    expect(bucketRows(metrics.buckets, "1h")[0]).toMatchObject({ created: 3, completed: 2, failed: 1 });
    expect(String(bucketRows(metrics.buckets, "7d")[0]?.label)).toMatch(/^\w{3} \d{2}:\d{2}$/);
  });
});

describe("status colours", () => {
  it("gives a status the same colour in a badge and a chart", () => {
    expect(statusTone("completed")).toBe("green");
    expect(statusColor("completed")).toBe(TONE_HEX.green);
    expect(statusColor("failed")).toBe(levelColor("error"));
    expect(statusColor("something-else")).toBe(TONE_HEX.gray);
  });
});
