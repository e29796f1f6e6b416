import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { DonutChart, SimpleBarChart } from "../../components/charts";
import { Card, ErrorNotice, Loading, PageHeader, StatCard } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { queryKeys } from "../../lib/queryKeys";

export function AnalyticsPage() {
  const stats = useQuery({
    queryKey: queryKeys.users.stats(),
    queryFn: () => unwrap(api.GET("/admin/users/stats")),
    refetchInterval: 60_000,
  });
  if (stats.isPending) return <Loading />;
  if (stats.error) return <ErrorNotice error={stats.error} />;
  const s = stats.data;
  return (
    <>
      <PageHeader title="User analytics" description={`As of ${formatDateTime(s.last_updated)}`} />
      <div className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        <StatCard label="Total users" value={s.total_users} />
        <StatCard label="Active" value={s.active_users} />
        <StatCard label="Inactive" value={s.inactive_users} />
        <StatCard label="Email verified" value={s.email_verified} hint={`${s.email_unverified} unverified`} />
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Active users by role">
          <DonutChart
            label="Active users by role"
            data={[
              { name: "user", value: s.by_role.user },
              { name: "moderator", value: s.by_role.moderator },
              { name: "admin", value: s.by_role.admin },
            ]}
          />
        </Card>
        <Card title="New registrations">
          <SimpleBarChart
            label="Registrations"
            data={[
              { name: "24 h", value: s.recent_registrations.last_24h },
              { name: "7 days", value: s.recent_registrations.last_7d },
              { name: "30 days", value: s.recent_registrations.last_30d },
            ]}
          />
        </Card>
        <Card title="Account state">
          <DonutChart
            label="Account state"
            data={[
              { name: "active", value: s.active_users },
              { name: "inactive", value: s.inactive_users },
            ]}
          />
        </Card>
      </div>
    </>
  );
}
