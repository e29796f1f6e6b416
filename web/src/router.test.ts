import { describe, expect, it } from "vitest";
import { MANIFEST, routerPaths } from "./router";

describe("route manifest", () => {
  it("lists every path the router defines, and nothing else", () => {
    expect([...routerPaths()].sort()).toEqual([...MANIFEST].sort());
  });

  it("has no duplicates", () => {
    expect(new Set(MANIFEST).size).toBe(MANIFEST.length);
  });
});
