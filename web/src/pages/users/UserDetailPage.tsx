import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { api, unwrap } from "../../api/client";
import { atLeast, useSession } from "../../auth/session";
import { Badge, StatusBadge } from "../../components/Badge";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { SessionsCard } from "../account/SessionsCard";
import { EditProfileButton } from "./EditProfileDialog";
import { UserActions } from "./userActions";
import { queryKeys } from "../../lib/queryKeys";

export function UserDetailPage() {
  const { userId } = useParams({ from: "/admin/users/$userId" });
  const { user: me } = useSession();
  const navigate = useNavigate();
  const user = useQuery({
    queryKey: queryKeys.users.detail(userId),
    queryFn: () => unwrap(api.GET("/users/{id}", { params: { path: { id: userId } } })),
  });

  if (user.isPending) return <Loading />;
  if (user.error) return <ErrorNotice error={user.error} />;
  const u = user.data;
  const rows: Array<[string, React.ReactNode]> = [
    ["Email", u.email],
    [
      "Role",
      <Badge key="role" tone={u.role === "admin" ? "purple" : u.role === "moderator" ? "blue" : "gray"}>
        {u.role}
      </Badge>,
    ],
    ["Status", <StatusBadge key="status" value={u.is_active ? "active" : "inactive"} />],
    ["Email verified", u.email_verified ? "yes" : "no"],
    ["Created", formatDateTime(u.created_at)],
    ["Last login", formatDateTime(u.last_login_at)],
    [
      "Id",
      <span key="id" className="font-mono text-xs">
        {u.id}
      </span>,
    ],
  ];
  return (
    <>
      <PageHeader
        title={u.username}
        description="Account details"
        actions={
          <>
            {atLeast(me?.role, "admin") ? <EditProfileButton user={u} /> : null}
            {atLeast(me?.role, "moderator") ? (
              <UserActions user={u} onGone={() => void navigate({ to: "/admin/users" })} />
            ) : null}
          </>
        }
      />
      <Card>
        <dl className="grid gap-3 sm:grid-cols-2">
          {rows.map(([label, value]) => (
            <div key={label} className="min-w-0 break-words">
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
              <dd className="mt-0.5 text-sm">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      {atLeast(me?.role, "admin") ? (
        <div className="mt-4">
          <SessionsCard userId={u.id} />
        </div>
      ) : null}
      {atLeast(me?.role, "moderator") ? (
        <p className="mt-6 text-sm">
          <Link to="/admin/users" className="text-brand-700 underline">
            ← All users
          </Link>
        </p>
      ) : null}
    </>
  );
}
