/** Health probes answer 503 with a body worth showing, so they bypass `unwrap`. */
import { api } from "../../api/client";
import { toApiError } from "../../api/errors";

export type ProbePath =
  | "/health"
  | "/health/detailed"
  | "/health/live"
  | "/health/ready"
  | "/health/startup"
  | "/admin/health";

export interface CheckResult {
  status: string;
  message?: string | null;
  details?: unknown;
}

export interface ProbeResult {
  path: ProbePath;
  httpStatus: number;
  status: string;
  checks: Record<string, CheckResult>;
  raw: unknown;
  error?: string;
}

const GOOD = new Set(["healthy", "alive", "ready", "started"]);

export function isGood(status: string): boolean {
  return GOOD.has(status);
}

export async function runProbe(path: ProbePath): Promise<ProbeResult> {
  const { data, error, response } = await api.GET(path);
  const body = (data ?? error) as
    | { data?: { status?: string; checks?: Record<string, CheckResult> }; error?: unknown }
    | undefined;
  const payload = body?.data;
  if (payload && typeof payload.status === "string") {
    return { path, httpStatus: response.status, status: payload.status, checks: payload.checks ?? {}, raw: payload };
  }
  const failure = toApiError(response.status, body);
  return {
    path,
    httpStatus: response.status,
    status: "unhealthy",
    checks: {},
    raw: body ?? null,
    error: failure.message,
  };
}
