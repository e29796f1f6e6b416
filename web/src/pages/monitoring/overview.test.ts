import { describe, expect, it } from "vitest";
import { levelColor, statusColor } from "../../lib/statusColors";
import { alertStates, eventsPerLevel, incidentsBySeverity } from "./overview";

const event = (level: string | null, recorded_at: string) => ({ id: recorded_at, level, recorded_at }) as never;

describe("eventsPerLevel", () => {
  it("counts events per level per hour, worst level first, in the levels' colours", () => {
    const now = Date.parse("2026-12-02T12:30:00Z");
    const { rows, series } = eventsPerLevel(
      [
        event("INFO", "2026-12-02T12:05:00Z"),
        event("error", "2026-12-02T12:10:00Z"),
        event("error", "2026-12-02T11:10:00Z"),
        event(null, "2026-12-02T12:11:00Z"),
        event("info", "2026-11-01T00:00:00Z"),
      ],
      2,
      now,
    );
    expect(series.map((s) => s.key)).toEqual(["error", "info", "none"]);
    expect(series[0]?.color).toBe(levelColor("error"));
    expect(rows.map((row) => [row.error, row.info, row.none])).toEqual([
      [1, 0, 0],
      [1, 1, 1],
    ]);
  });
});

describe("incident and alert slices", () => {
  it("counts open incidents per severity and alerts per state", () => {
    const incidents = [
      { status: "open", severity: "high" },
      { status: "resolved", severity: "high" },
      { status: "investigating", severity: "critical" },
    ] as never[];
    expect(incidentsBySeverity(incidents).map((s) => [s.name, s.value])).toEqual([
      ["critical", 1],
      ["high", 1],
      ["medium", 0],
      ["low", 0],
    ]);
    const alerts = [
      { status: "active", firing: true },
      { status: "active", firing: false },
      { status: "silenced", firing: true },
    ] as never[];
    expect(alertStates(alerts)).toEqual([
      { name: "firing", value: 1, color: statusColor("failed") },
      { name: "ok", value: 1, color: statusColor("completed") },
      { name: "silenced", value: 1, color: statusColor("silenced") },
    ]);
  });
});
