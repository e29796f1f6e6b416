import { afterEach, describe, expect, it, vi } from "vitest";
import { api, readCookie, setUnauthorizedHandler, unwrap, unwrapWithMessage } from "./client";
import { ApiError } from "./errors";

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => {
  vi.restoreAllMocks();
  // biome-ignore lint/suspicious/noDocumentCookie: the test sets the cookie the client reads
  document.cookie = "starter_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
});

describe("readCookie", () => {
  it("finds a cookie among others and decodes it", () => {
    expect(readCookie("b", "a=1; b=x%20y; c=3")).toBe("x y");
    expect(readCookie("missing", "a=1")).toBeUndefined();
  });
});

describe("api client", () => {
  it("unwraps the success envelope", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      jsonResponse(200, {
        success: true,
        data: { id: "1", username: "a", email: "a@b.co", role: "user" },
        message: null,
      }),
    );
    const me = await unwrap(api.GET("/auth/me"));
    expect(me.username).toBe("a");
  });

  it("keeps the envelope message", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      jsonResponse(200, { success: true, data: "Logged out from all devices", message: "Ended 2 session(s)" }),
    );
    const result = await unwrapWithMessage(api.POST("/auth/logout-all"));
    expect(result).toEqual({ data: "Logged out from all devices", message: "Ended 2 session(s)" });
  });

  it("throws an ApiError parsed from the error envelope", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      jsonResponse(401, { error: { code: "INVALID_CREDENTIALS", message: "Invalid credentials" } }),
    );
    await expect(unwrap(api.POST("/auth/login", { body: { username: "x", password: "y" } }))).rejects.toMatchObject({
      status: 401,
      code: "INVALID_CREDENTIALS",
      message: "Invalid credentials",
    });
  });

  it("sends the CSRF header on unsafe requests only", async () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the test sets the cookie the client reads
    document.cookie = "starter_csrf=token123";
    const fetchSpy = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => jsonResponse(200, { success: true, data: "ok", message: null }));
    await unwrap(api.POST("/auth/logout"));
    await unwrap(api.GET("/auth/me"));
    const [post, get] = fetchSpy.mock.calls.map((call) => call[0] as Request);
    expect(post?.headers.get("X-CSRF-Token")).toBe("token123");
    expect(get?.headers.get("X-CSRF-Token")).toBeNull();
  });

  it("calls the unauthorized handler on a 401 outside login", async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      jsonResponse(401, { error: { code: "UNAUTHORIZED", message: "Unauthorized access" } }),
    );
    await expect(unwrap(api.GET("/auth/me"))).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledWith(401);
  });

  it("reports network failures as a readable error", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("Failed to fetch"));
    await expect(unwrap(api.GET("/auth/me"))).rejects.toMatchObject({ code: "NETWORK_ERROR" });
  });
});
