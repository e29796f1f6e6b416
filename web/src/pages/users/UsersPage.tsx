import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { UserProfile } from "../../api/types";
import { atLeast, useSession } from "../../auth/session";
import { Badge, StatusBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { SelectField, TextField } from "../../components/Field";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime } from "../../lib/format";
import { UserActions } from "./userActions";

const LIMIT = 25;
type StatusFilter = "active" | "inactive" | "all";
const STATUS_OPTIONS: ReadonlyArray<{ value: StatusFilter; label: string }> = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
  { value: "all", label: "All" },
];
const DESCRIPTIONS: Record<StatusFilter, string> = {
  active: "Active accounts, newest first.",
  inactive: "Deactivated and deleted accounts, newest first. Reactivate one to let it sign in again.",
  all: "Every account, newest first.",
};

/** Case-insensitive match on username, email or role (on the page already fetched). */
export function filterUsers(users: readonly UserProfile[], search: string): UserProfile[] {
  const needle = search.trim().toLowerCase();
  if (!needle) return [...users];
  return users.filter((user) => [user.username, user.email, user.role].some((value) => value.toLowerCase().includes(needle)));
}

export function UsersPage() {
  const { user: me } = useSession();
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<StatusFilter>("active");
  const users = useQuery({
    queryKey: ["users", "list", status, offset],
    queryFn: () => unwrap(api.GET("/users", { params: { query: { limit: LIMIT, offset, status } } })),
    placeholderData: keepPreviousData,
  });
  const rows = useMemo(() => filterUsers(users.data ?? [], search), [users.data, search]);

  const columns: Column<UserProfile>[] = [
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
    { key: "role", header: "Role", render: (user) => <Badge tone={user.role === "admin" ? "purple" : user.role === "moderator" ? "blue" : "gray"}>{user.role}</Badge> },
    { key: "status", header: "Status", render: (user) => <StatusBadge value={user.is_active ? "active" : "inactive"} /> },
    { key: "login", header: "Last login", render: (user) => relativeTime(user.last_login_at) },
    { key: "actions", header: "Actions", pinned: true, render: (user) => <UserActions user={user} /> },
  ];

  return (
    <>
      <PageHeader
        title="Users"
        description={DESCRIPTIONS[status]}
        actions={
          atLeast(me?.role, "admin") ? (
            <Link to="/admin/users/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
              Create user
            </Link>
          ) : null
        }
      />
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <div className="w-40">
          <SelectField
            label="Status"
            name="status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as StatusFilter);
              setOffset(0);
            }}
            options={STATUS_OPTIONS}
          />
        </div>
        <div className="min-w-0 max-w-sm flex-1" role="search">
          <TextField label="Search this page" type="search" placeholder="name, email or role" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
      </div>
      {users.error ? <ErrorNotice error={users.error} /> : null}
      {users.isPending ? <Loading /> : <Table caption="Users" columns={columns} rows={rows} rowKey={(user) => user.id} empty="No users found." />}
      <nav aria-label="Pagination" className="mt-4 flex justify-between">
        <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LIMIT))}>
          Previous
        </Button>
        <Button variant="secondary" disabled={(users.data?.length ?? 0) < LIMIT} onClick={() => setOffset(offset + LIMIT)}>
          Next
        </Button>
      </nav>
    </>
  );
}
