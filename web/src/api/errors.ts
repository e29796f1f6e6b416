/** An API failure with the server's error code and a message fit to show a person. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: "The request was not valid.",
  401: "Please sign in to continue.",
  403: "You do not have permission to do that.",
  404: "Not found.",
  409: "That conflicts with the current state.",
  413: "That is too large to send.",
  429: "Too many attempts. Please wait a moment and try again.",
  500: "Something went wrong on the server.",
  503: "The service is temporarily unavailable.",
};

function isEnvelope(body: unknown): body is { error: { code: string; message: string } } {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** Build an ApiError from a status and whatever body came back (envelope, text or nothing). */
export function toApiError(status: number, body: unknown): ApiError {
  if (isEnvelope(body)) {
    return new ApiError(status, body.error.code, humanize(body.error.message));
  }
  const fallback = FALLBACK_MESSAGES[status] ?? `Request failed (HTTP ${status}).`;
  return new ApiError(status, "HTTP_ERROR", fallback);
}

/** "Validation failed for email: Invalid email format" → "Email: Invalid email format". */
export function humanize(message: string): string {
  const match = /^Validation failed for ([\w.]+): (.*)$/s.exec(message);
  if (!match) return message;
  const field = (match[1] ?? "").replace(/_/g, " ");
  return `${field.charAt(0).toUpperCase()}${field.slice(1)}: ${match[2] ?? ""}`;
}
