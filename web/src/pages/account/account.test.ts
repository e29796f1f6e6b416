import { describe, expect, it } from "vitest";
import { describeAgent } from "./SessionsCard";

describe("describeAgent", () => {
  it("names the browser and the system", () => {
    expect(
      describeAgent(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
      ),
    ).toBe("Chrome on Linux");
    expect(
      describeAgent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0",
      ),
    ).toBe("Edge on Windows");
    expect(
      describeAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1",
      ),
    ).toBe("Safari on iOS");
  });
  it("falls back to what it was given", () => {
    expect(describeAgent(null)).toBe("Unknown device");
    expect(describeAgent("curl/8.5")).toBe("curl/8.5");
  });
});
