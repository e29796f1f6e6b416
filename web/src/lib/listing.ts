/**
 * Lists with a server-side total: the rows come in the usual envelope, the total in the
 * X-Total-Count header (absent from servers that do not count, then `total` is null).
 */
import { api, unwrap } from "../api/client";

export interface Listed<T> {
  rows: T[];
  total: number | null;
}

type Envelope<T> = { success: boolean; data: T; message?: string | null };
type FetchResult<T> = { data?: Envelope<T>; error?: unknown; response: Response };

export async function listWithTotal<T>(call: Promise<FetchResult<T[]>>): Promise<Listed<T>> {
  const result = await call;
  const rows = await unwrap(Promise.resolve(result));
  const header = result.response.headers.get("X-Total-Count");
  const total = header === null ? null : Number(header);
  return { rows, total: Number.isFinite(total) ? total : null };
}

type Init = { params?: { path?: Record<string, string>; query?: Record<string, unknown> }; body?: unknown };

/**
 * The same client for routes whose shapes are typed next to the page that calls them
 * rather than in the generated schema.
 */
export const loose = api as unknown as {
  GET<T>(path: string, init?: Init): Promise<FetchResult<T>>;
  POST<T>(path: string, init?: Init): Promise<FetchResult<T>>;
};

/** "1–20 of 1,234", or "Rows 1–20" when the server gave no total. */
export function rangeLabel(offset: number, shown: number, total: number | null): string {
  if (shown === 0) return total ? `None here (${total.toLocaleString("en-US")} in all)` : "No rows";
  const range = `${(offset + 1).toLocaleString("en-US")}–${(offset + shown).toLocaleString("en-US")}`;
  return total === null ? `Rows ${range}` : `${range} of ${total.toLocaleString("en-US")}`;
}
