/** Which form field a server validation error names ("Query: Unknown aggregate 'avgg'" → "query"). */
import { ApiError } from "../api/errors";

export function errorField(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== "VALIDATION_FAILED") return null;
  const match = /^([A-Za-z][\w ]*?): /.exec(error.message);
  return match?.[1] ? match[1].toLowerCase().replace(/ /g, "_") : null;
}

/** The error's message when it is about `field`, for showing inline under that field. */
export function messageFor(error: unknown, field: string): string | undefined {
  return errorField(error) === field && error instanceof Error ? error.message : undefined;
}
