import { describe, expect, it } from "vitest";
import { eventQuery } from "./EventsPage";
import { formatTags, parseTagFilter } from "./tags";

describe("parseTagFilter", () => {
  it("parses pairs, trimming spaces and skipping empty ones", () => {
    expect(parseTagFilter(" env:prod , ,service: api ")).toEqual({
      ok: true,
      pairs: [
        ["env", "prod"],
        ["service", "api"],
      ],
      query: "env:prod,service:api",
    });
    expect(parseTagFilter("")).toEqual({ ok: true, pairs: [], query: "" });
  });

  it("splits on the first colon only", () => {
    expect(parseTagFilter("url:http://x")).toMatchObject({ ok: true, pairs: [["url", "http://x"]] });
  });

  it.each([
    ["env", "Invalid tag format. Expected 'key:value' pairs separated by commas"],
    ["env:", "Tag keys and values cannot be empty"],
    [":prod", "Tag keys and values cannot be empty"],
    ["bad key:1", "Tag keys must contain only alphanumeric characters, underscores, hyphens, and dots"],
    ["a:1,a:2", "Duplicate tag keys are not allowed"],
    [`${"k".repeat(101)}:v`, "Tag key too long (maximum 100 characters)"],
    [`k:${"v".repeat(501)}`, "Tag value too long (maximum 500 characters)"],
    [Array.from({ length: 51 }, (_, i) => `k${i}:v`).join(","), "Too many tag pairs (maximum 50)"],
  ])("rejects %s with the server's message", (input, error) => {
    expect(parseTagFilter(input)).toEqual({ ok: false, error });
  });

  it("formats tag objects for display", () => {
    expect(formatTags({ env: "prod", n: 3 })).toBe("env:prod, n:3");
    expect(formatTags(null)).toBe("");
  });
});

describe("eventQuery", () => {
  it("sends only the filters that are set", () => {
    expect(eventQuery({ event_type: "log", source: " ", level: "", tags: "env:prod" }, 50)).toEqual({
      limit: 50,
      offset: 50,
      event_type: "log",
      tags: "env:prod",
    });
  });
});
