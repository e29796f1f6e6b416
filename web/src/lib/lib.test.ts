import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import type { Task } from "../api/types";
import { applyStreamMessage } from "../live/LiveUpdates";
import { errorField, messageFor } from "./fieldErrors";
import { generatePassword } from "./password";
import { metricSeries } from "./series";

function task(overrides: Partial<Task>): Task {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    task_type: "email",
    status: "pending",
    priority: "normal",
    max_attempts: 5,
    current_attempt: 0,
    last_error: null,
    created_at: "2025-01-01T10:15:00Z",
    updated_at: "2025-01-01T10:15:00Z",
    scheduled_at: null,
    started_at: null,
    completed_at: null,
    created_by: null,
    metadata: {},
    payload: {},
    result: null,
    retry_strategy: {},
    ...overrides,
  } as Task;
}

describe("metricSeries", () => {
  it("orders a metric's points by time", () => {
    const metric = (value: number, at: string) =>
      ({ id: at, name: "cpu", metric_type: "gauge", value, labels: {}, recorded_at: at, created_at: at }) as never;
    expect(
      metricSeries([metric(2, "2025-01-01T00:02:00Z"), metric(1, "2025-01-01T00:01:00Z")], "cpu").map((p) => p.value),
    ).toEqual([1, 2]);
  });
});

describe("field errors", () => {
  it("maps a humanized validation message to its field", () => {
    const error = new ApiError(400, "VALIDATION_FAILED", "Query: Unknown aggregate 'avgg'");
    expect(errorField(error)).toBe("query");
    expect(messageFor(error, "query")).toBe("Query: Unknown aggregate 'avgg'");
    expect(messageFor(error, "name")).toBeUndefined();
    expect(errorField(new ApiError(403, "FORBIDDEN", "No: way"))).toBeNull();
  });
});

describe("generatePassword", () => {
  it("meets the server's strength rule and differs every time", () => {
    const password = generatePassword();
    expect(password).toHaveLength(20);
    const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password));
    expect(classes.length).toBe(4);
    expect(generatePassword()).not.toBe(password);
  });
});

describe("applyStreamMessage", () => {
  it("patches the cached task and its lists", () => {
    const client = new QueryClient();
    const cached = task({ id: "t1", status: "running" });
    client.setQueryData(["tasks", "detail", "t1"], cached);
    client.setQueryData(["tasks", "list", { limit: 10 }], [cached, task({ id: "t2" })]);
    applyStreamMessage(client, "task", { id: "t1", status: "completed" });
    expect(client.getQueryData<Task>(["tasks", "detail", "t1"])?.status).toBe("completed");
    expect(client.getQueryData<Task[]>(["tasks", "list", { limit: 10 }])?.map((t) => t.status)).toEqual([
      "completed",
      "pending",
    ]);
    expect(client.getQueryState(["tasks", "list", { limit: 10 }])?.isInvalidated).toBe(true);
  });

  it("invalidates incident queries on an incident message", () => {
    const client = new QueryClient();
    client.setQueryData(["monitoring", "incidents", 0], []);
    applyStreamMessage(client, "incident", { id: "i1" });
    expect(client.getQueryState(["monitoring", "incidents", 0])?.isInvalidated).toBe(true);
  });
});
