import { describe, expect, it } from "vitest";
import { ApiError, humanize, toApiError } from "./errors";

describe("toApiError", () => {
  it("reads code and message from the error envelope", () => {
    const error = toApiError(409, { error: { code: "USERNAME_ALREADY_EXISTS", message: "Username already exists" } });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.code).toBe("USERNAME_ALREADY_EXISTS");
    expect(error.message).toBe("Username already exists");
  });

  it("turns validation messages into human sentences", () => {
    const error = toApiError(400, {
      error: { code: "VALIDATION_FAILED", message: "Validation failed for new_password: Password is too common" },
    });
    expect(error.message).toBe("New password: Password is too common");
  });

  it("falls back to a status message when the body is not an envelope", () => {
    expect(toApiError(429, "Too many").message).toMatch(/Too many attempts/);
    expect(toApiError(502, undefined).message).toBe("Request failed (HTTP 502).");
    expect(toApiError(500, { error: "nope" }).code).toBe("HTTP_ERROR");
  });
});

describe("humanize", () => {
  it("leaves other messages alone", () => {
    expect(humanize("Invalid credentials")).toBe("Invalid credentials");
  });
});
