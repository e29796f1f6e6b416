import { useState } from "react";
import { Card, ErrorNotice, PageHeader } from "../../components/Layout";
import type { MetricWindow } from "./tasksApi";
import { isQuiet, QueueSkeleton, QueueStats, QuietNotice, ThroughputCard, TypesTable, useQueueMetrics, WindowPicker, WorkersTable } from "./queueView";

export function QueuePage() {
  const [window, setWindow] = useState<MetricWindow>("1h");
  const metrics = useQueueMetrics(window);
  const data = metrics.data;
  return (
    <>
      <PageHeader title="Queue" description="How deep the queue is, how long tasks wait and what is failing." actions={<WindowPicker value={window} onChange={setWindow} />} />
      {metrics.error ? <ErrorNotice error={metrics.error} /> : null}
      {metrics.isPending ? <QueueSkeleton /> : null}
      {data ? (
        <div className="flex flex-col gap-6">
          <QueueStats metrics={data} />
          {isQuiet(data) ? <QuietNotice window={window} /> : <ThroughputCard metrics={data} />}
          <Card title="By task type">
            <TypesTable metrics={data} />
          </Card>
          <Card title="Workers">
            <WorkersTable metrics={data} />
          </Card>
        </div>
      ) : null}
    </>
  );
}
