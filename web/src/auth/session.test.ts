import { describe, expect, it } from "vitest";
import { atLeast, refreshDelayMs } from "./session";

describe("atLeast", () => {
  it("compares role levels", () => {
    expect(atLeast("admin", "moderator")).toBe(true);
    expect(atLeast("moderator", "moderator")).toBe(true);
    expect(atLeast("user", "moderator")).toBe(false);
    expect(atLeast(undefined, "user")).toBe(false);
  });
});

describe("refreshDelayMs", () => {
  it("refreshes at 75 % of the remaining lifetime", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(refreshDelayMs("2026-01-01T04:00:00Z", now)).toBe(3 * 3600_000);
  });

  it("never schedules sooner than a minute", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(refreshDelayMs("2026-01-01T00:00:10Z", now)).toBe(60_000);
  });
});
