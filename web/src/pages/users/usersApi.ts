/** The users console's server calls: the searched list with its total, and bulk status changes. */
import { api, unwrap } from "../../api/client";
import type { UserProfile } from "../../api/types";
import { listWithTotal, loose, type Listed } from "../../lib/listing";

export type StatusFilter = "active" | "inactive" | "all";

export interface UserSearch {
  limit: number;
  offset: number;
  status: StatusFilter;
  search?: string;
  role?: string;
  sort?: string;
}

export function searchUsers(query: UserSearch): Promise<Listed<UserProfile>> {
  return listWithTotal(api.GET("/users", { params: { query } as never }));
}

export type UserBulkAction = "activate" | "deactivate";
export interface UserBulkResult {
  action: string;
  matched: number;
  succeeded: number;
  failed: number;
  results: Array<{ id: string; outcome: string; message?: string | null }>;
}

export function bulkUsers(action: UserBulkAction, ids: string[]): Promise<UserBulkResult> {
  return unwrap(loose.POST<UserBulkResult>("/users/bulk", { body: { action, ids } }));
}

const PAST: Record<UserBulkAction, string> = { activate: "activated", deactivate: "deactivated" };
const OUTCOMES: Record<string, string> = {
  not_found: "not found",
  invalid_state: "already so",
  forbidden: "not yours to change",
};

/** "3 deactivated, 1 skipped: alice (your own account)"; names the skipped by username when known. */
export function userBulkSummary(
  action: UserBulkAction,
  result: UserBulkResult,
  names: ReadonlyMap<string, string>,
): string {
  const done = `${result.succeeded} ${PAST[action]}`;
  if (result.failed === 0) return done;
  const skipped = result.results.filter((row) => row.outcome !== "ok").slice(0, 3);
  const listed = skipped.map(
    (row) => `${names.get(row.id) ?? row.id.slice(0, 8)} (${row.message ?? OUTCOMES[row.outcome] ?? row.outcome})`,
  );
  const more = result.failed > skipped.length ? ` and ${result.failed - skipped.length} more` : "";
  return `${done}, ${result.failed} skipped: ${listed.join("; ")}${more}`;
}
