/**
 * The typed API client: openapi-fetch over our generated schema, cookie sessions (no tokens
 * in storage), the CSRF header on unsafe requests, and one place that handles 401.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, toApiError } from "./errors";
import type { paths } from "./schema";

export const API_BASE = (import.meta.env.VITE_API_BASE_URL as string | undefined) ?? "/api/v1";
export const CSRF_COOKIE = "starter_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function readCookie(name: string, source: string = document.cookie): string | undefined {
  for (const part of source.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

type UnauthorizedHandler = (status: number) => void;
let onUnauthorized: UnauthorizedHandler = () => undefined;

/** The router installs this: a 401 anywhere sends the user to the login page. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
};

const unauthorized: Middleware = {
  onResponse({ request, response }) {
    const isLogin = new URL(request.url, window.location.origin).pathname.endsWith("/auth/login");
    if (response.status === 401 && !isLogin) onUnauthorized(401);
    return response;
  },
};

/** openapi-fetch builds `Request`s, which need an absolute URL outside the browser too. */
function absoluteBase(base: string): string {
  return base.startsWith("/") ? `${window.location.origin}${base}` : base;
}

export const api = createClient<paths>({
  baseUrl: absoluteBase(API_BASE),
  credentials: "same-origin",
  // Late-bound so tests (and polyfills) can replace the global fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(csrf, unauthorized);

type Envelope<T> = { success: boolean; data: T; message?: string | null };
type FetchResult<T> = { data?: Envelope<T>; error?: unknown; response: Response };

/** Await an openapi-fetch call and return `data` from the envelope, or throw an ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, "NETWORK_ERROR", "Cannot reach the server. Check your connection.");
  }
  if (!result.response.ok || result.data === undefined) {
    throw toApiError(result.response.status, result.error);
  }
  return result.data.data;
}

/** Like unwrap, but keeps the envelope's message (e.g. "Ended 3 session(s)"). */
export async function unwrapWithMessage<T>(
  call: Promise<FetchResult<T>>,
): Promise<{ data: T; message: string | null }> {
  const result = await call;
  if (!result.response.ok || result.data === undefined) {
    throw toApiError(result.response.status, result.error);
  }
  return { data: result.data.data, message: result.data.message ?? null };
}
