import { describe, expect, it } from "vitest";
import { levelTone } from "../components/Badge";
import { describeRetry, humanDuration } from "./format";
import { pageTitle } from "./usePageTitle";

describe("describeRetry", () => {
  it("reads the default exponential strategy", () => {
    const strategy = {
      exponential: {
        base_delay: { secs: 1, nanos: 0 },
        multiplier: 2.0,
        max_delay: { secs: 300, nanos: 0 },
        max_attempts: 5,
      },
    };
    expect(describeRetry(strategy)).toBe("exponential, 1 s → 5 min, 5 attempts");
  });
  it("reads linear, fixed and none", () => {
    expect(
      describeRetry({
        linear: { base_delay: 2, increment: { secs: 0, nanos: 500_000_000 }, max_delay: 5400, max_attempts: 3 },
      }),
    ).toBe("linear, 2 s + 500 ms each → 1.5 h, 3 attempts");
    expect(describeRetry({ fixed: { interval: { secs: 30, nanos: 0 }, max_attempts: 1 } })).toBe(
      "fixed, every 30 s, 1 attempt",
    );
    expect(describeRetry("none")).toBe("no retries");
    expect(describeRetry({ none: {} })).toBe("no retries");
  });
  it("never shows {secs, nanos}", () => {
    expect(describeRetry({})).toBe("default");
    expect(describeRetry({ exponential: {} })).toBe("exponential, ? → ?");
  });
});

describe("humanDuration", () => {
  it("picks the unit a person would", () => {
    expect([0.25, 1, 90, 300, 7200, 172_800].map(humanDuration)).toEqual([
      "250 ms",
      "1 s",
      "1.5 min",
      "5 min",
      "2 h",
      "2 d",
    ]);
  });
});

describe("levels and titles", () => {
  it("colours levels by meaning, unknown ones grey", () => {
    expect([levelTone("info"), levelTone("WARN"), levelTone("error"), levelTone("custom")]).toEqual([
      "blue",
      "yellow",
      "red",
      "gray",
    ]);
  });
  it("names the tab after the page", () => {
    expect(pageTitle("Tasks")).toBe("Tasks · starter");
    expect(pageTitle("")).toBe("starter");
  });
});
