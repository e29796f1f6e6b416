import { describe, expect, it } from "vitest";
import { passwordAcceptable, passwordRules } from "./passwordRules";

describe("passwordRules", () => {
  it("marks each rule as the password grows", () => {
    expect(passwordRules("").map((r) => r.met)).toEqual([false, true, false]);
    expect(passwordRules("abcdefgh").map((r) => r.met)).toEqual([true, true, false]);
    expect(passwordRules("Abcdefg1").map((r) => r.met)).toEqual([true, true, true]);
  });
  it("counts UTF-8 bytes like the server", () => {
    expect(passwordRules("é".repeat(65))[1]?.met).toBe(false);
    expect(passwordAcceptable("Ünïcode-pass1")).toBe(true);
  });
});
