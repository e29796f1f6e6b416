import { useState } from "react";
import { atLeast, useSession } from "../../auth/session";
import { Card, ErrorNotice, PageHeader } from "../../components/Layout";
import type { MetricWindow } from "./tasksApi";
import {
  isQuiet,
  QueueSkeleton,
  QueueStats,
  QuietNotice,
  ThroughputCard,
  TypesTable,
  useQueueMetrics,
  WindowPicker,
  WorkersTable,
} from "./queueView";

export function QueuePage() {
  const [window, setWindow] = useState<MetricWindow>("1h");
  const metrics = useQueueMetrics(window);
  const data = metrics.data;
  const { user } = useSession();
  const moderator = atLeast(user?.role, "moderator");
  return (
    <>
      <PageHeader
        title="Queue"
        description={
          moderator
            ? "How deep the queue is, how long tasks wait and what is failing."
            : "Your tasks: how many wait, how long they wait and what is failing."
        }
        actions={<WindowPicker value={window} onChange={setWindow} />}
      />
      {metrics.error ? <ErrorNotice error={metrics.error} /> : null}
      {metrics.isPending ? <QueueSkeleton /> : null}
      {data ? (
        <div className="flex flex-col gap-6">
          <QueueStats metrics={data} showWorkers={moderator} />
          {isQuiet(data) ? (
            <QuietNotice window={window} />
          ) : (
            <>
              <ThroughputCard metrics={data} />
              <Card title="By task type">
                <TypesTable metrics={data} />
              </Card>
            </>
          )}
          {moderator ? (
            <Card title="Workers">
              <WorkersTable metrics={data} />
            </Card>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
