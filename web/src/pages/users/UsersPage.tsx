import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { choices, ROLES, type UserProfile } from "../../api/types";
import { atLeast, useSession } from "../../auth/session";
import { Badge, StatusBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Pager } from "../../components/Pager";
import { useConfirm } from "../../components/Confirm";
import { SelectField, TextField } from "../../components/Field";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { useDebounced } from "../../lib/useDebounced";
import { useSelection, type Selection } from "../tasks/bulk";
import { UserActions } from "./userActions";
import {
  bulkUsers,
  searchUsers,
  userBulkSummary,
  type StatusFilter,
  type UserBulkAction,
  type UserSearch,
} from "./usersApi";
import { queryKeys } from "../../lib/queryKeys";

const LIMIT = 25;
const STATUS_OPTIONS: ReadonlyArray<{ value: StatusFilter; label: string }> = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
  { value: "all", label: "All" },
];
const SORTS = [
  { value: "username", label: "Username (A–Z)" },
  { value: "-created_at", label: "Newest first" },
  { value: "created_at", label: "Oldest first" },
  { value: "-last_login_at", label: "Last sign-in" },
];

export function userQuery(
  search: string,
  role: string,
  status: StatusFilter,
  sort: string,
  offset: number,
): UserSearch {
  const query: UserSearch = { limit: LIMIT, offset, status, sort };
  if (search.trim()) query.search = search.trim();
  if (role) query.role = role;
  return query;
}

function roleTone(role: string) {
  return role === "admin" ? "purple" : role === "moderator" ? "blue" : "gray";
}

function columns(): Column<UserProfile>[] {
  return [
    {
      key: "username",
      header: "User",
      // An inactive account has no page (it answers 404): it is managed from this list.
      render: (user) =>
        user.is_active ? (
          <Link to="/admin/users/$userId" params={{ userId: user.id }} className="font-medium text-brand-700 underline">
            {user.username}
          </Link>
        ) : (
          <span className="font-medium text-slate-700">{user.username}</span>
        ),
    },
    { key: "email", header: "Email", className: "whitespace-nowrap", render: (user) => user.email },
    { key: "role", header: "Role", render: (user) => <Badge tone={roleTone(user.role)}>{user.role}</Badge> },
    {
      key: "status",
      header: "Status",
      render: (user) => <StatusBadge value={user.is_active ? "active" : "inactive"} />,
    },
    { key: "login", header: "Last login", render: (user) => relativeTime(user.last_login_at) },
    { key: "actions", header: "Actions", pinned: true, render: (user) => <UserActions user={user} /> },
  ];
}

function UserBulkBar({ selection, rows }: { selection: Selection; rows: readonly UserProfile[] }) {
  const confirm = useConfirm();
  const names = new Map(rows.map((user) => [user.id, user.username]));
  const bulk = useAction<UserBulkAction, { action: UserBulkAction; summary: string }>({
    run: async (action) => ({
      action,
      summary: userBulkSummary(action, await bulkUsers(action, [...selection.selected]), names),
    }),
    success: (result) => result.summary,
    invalidate: [queryKeys.users.all],
    onDone: () => selection.clear(),
  });
  const count = selection.selected.length;
  const ask = (action: UserBulkAction) =>
    confirm.ask({
      title: `${action === "activate" ? "Activate" : "Deactivate"} ${count} account${count === 1 ? "" : "s"}?`,
      message:
        action === "activate"
          ? "They can sign in again."
          : "They are signed out everywhere and cannot sign in until reactivated. Your own account is skipped.",
      confirmLabel: action === "activate" ? "Activate" : "Deactivate",
      danger: action === "deactivate",
      onConfirm: () => bulk.mutate(action),
    });
  return (
    <div className="mb-2 flex flex-wrap items-center gap-3 text-sm" data-testid="bulk-bar">
      <span aria-live="polite">{count === 0 ? "None selected" : `${count} selected`}</span>
      <Button
        variant="secondary"
        className="px-2 py-1 text-xs"
        disabled={count === 0}
        busy={bulk.isPending && bulk.variables === "activate"}
        onClick={() => ask("activate")}
      >
        Activate selected
      </Button>
      <Button
        variant="danger"
        className="px-2 py-1 text-xs"
        disabled={count === 0}
        busy={bulk.isPending && bulk.variables === "deactivate"}
        onClick={() => ask("deactivate")}
      >
        Deactivate selected
      </Button>
      {confirm.dialog}
    </div>
  );
}

export function UsersPage() {
  const { user: me } = useSession();
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState("");
  const [role, setRole] = useState("");
  const [status, setStatus] = useState<StatusFilter>("active");
  const [sort, setSort] = useState("username");
  const query = userQuery(useDebounced(search), role, status, sort, offset);
  const users = useQuery({
    queryKey: queryKeys.users.list(query),
    queryFn: () => searchUsers(query),
    placeholderData: keepPreviousData,
  });
  const rows = users.data?.rows ?? [];
  const total = users.data?.total ?? null;
  const selection = useSelection();
  // The server applies the single-account rules to each id (a moderator changes plain users only).
  const selectable = atLeast(me?.role, "moderator");
  const reset =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setOffset(0);
      selection.clear();
    };

  return (
    <>
      <PageHeader
        title="Users"
        description="Every account: search by name or email, filter by role and status."
        actions={
          atLeast(me?.role, "admin") ? (
            <Link
              to="/admin/users/new"
              className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700"
            >
              Create user
            </Link>
          ) : null
        }
      />
      <form
        role="search"
        aria-label="Find users"
        className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
        onSubmit={(event) => event.preventDefault()}
      >
        <TextField
          label="Search all users"
          type="search"
          placeholder="username or email"
          value={search}
          onChange={(e) => reset(setSearch)(e.target.value)}
        />
        <SelectField
          label="Role"
          name="role"
          value={role}
          onChange={(e) => reset(setRole)(e.target.value)}
          options={choices(ROLES, "Any role")}
        />
        <SelectField
          label="Status"
          name="status"
          value={status}
          onChange={(e) => reset(setStatus)(e.target.value as StatusFilter)}
          options={STATUS_OPTIONS}
        />
        <SelectField
          label="Sort"
          name="sort"
          value={sort}
          onChange={(e) => reset(setSort)(e.target.value)}
          options={SORTS}
        />
      </form>
      {users.error ? <ErrorNotice error={users.error} /> : null}
      {selectable ? <UserBulkBar selection={selection} rows={rows} /> : null}
      {users.isPending ? (
        <Loading />
      ) : (
        <Table
          caption="Users"
          columns={columns()}
          rows={rows}
          rowKey={(user) => user.id}
          {...(selectable ? { selected: selection.selected, onSelectionChange: selection.set } : {})}
          empty="No users found."
        />
      )}
      <Pager
        offset={offset}
        limit={LIMIT}
        shown={rows.length}
        total={total}
        onOffset={setOffset}
        rangeTestId="user-range"
      />
    </>
  );
}
