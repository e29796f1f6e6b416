import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { choices, METRIC_TYPES, type CreateMetricBody, type Metric } from "../../api/types";
import { Button } from "../../components/Button";
import { Pager } from "../../components/Pager";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { messageFor } from "../../lib/fieldErrors";
import { formatDateTime } from "../../lib/format";
import { parseJsonObject } from "../../lib/json";
import { metricSeries } from "../../lib/series";
import { useAction } from "../../lib/useAction";
import { formatTags } from "./tags";
import { queryKeys } from "../../lib/queryKeys";

const TimeSeriesChart = lazy(() =>
  import("../../components/charts").then((module) => ({ default: module.TimeSeriesChart })),
);
const LIMIT = 100;
const SERIES_LIMIT = 1000;

function MetricChart({ name }: { name: string }) {
  const points = useQuery({
    queryKey: queryKeys.monitoring.metrics.series(name),
    queryFn: () => unwrap(api.GET("/monitoring/metrics", { params: { query: { name, limit: SERIES_LIMIT } } })),
    refetchInterval: 30_000,
  });
  const series = useMemo(() => metricSeries(points.data ?? [], name), [points.data, name]);
  if (points.isPending) return <Loading label="Loading series…" />;
  if (points.error) return <ErrorNotice error={points.error} />;
  if (series.length === 0) return <p className="text-sm text-slate-500">No points stored for {name}.</p>;
  return (
    <Suspense fallback={<Loading label="Loading chart…" />}>
      <TimeSeriesChart name={name} points={series} />
      <p className="mt-1 text-xs text-slate-500">
        {series.length} stored point(s); latest {series[series.length - 1]?.value}
      </p>
    </Suspense>
  );
}

function CreateMetric() {
  const [values, setValues] = useState({ name: "", metric_type: "gauge", value: "", labels: "" });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const create = useAction<CreateMetricBody, Metric>({
    run: (body) => unwrap(api.POST("/monitoring/metrics", { body })),
    success: (metric) => `Recorded ${metric.name} = ${metric.value}.`,
    invalidate: [queryKeys.monitoring.metrics.all, queryKeys.monitoring.stats()],
    onDone: () => setValues((v) => ({ ...v, value: "" })),
    toastErrors: false,
  });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = Number(values.value);
    const labels = parseJsonObject(values.labels, "Labels");
    const found: Record<string, string> = {};
    if (!values.name.trim()) found.name = "Enter a metric name.";
    if (values.value.trim() === "" || !Number.isFinite(value)) found.value = "Enter a number.";
    if (!labels.ok) found.labels = labels.error;
    setProblems(found);
    if (Object.keys(found).length > 0 || !labels.ok) return;
    create.mutate({
      name: values.name.trim(),
      metric_type: values.metric_type as CreateMetricBody["metric_type"],
      value,
      labels: labels.value as Record<string, string>,
    });
  }

  return (
    <Card title="Record a metric">
      <form onSubmit={submit} noValidate className="grid gap-3 sm:grid-cols-2" aria-label="Create metric">
        {create.error && !messageFor(create.error, "name") ? (
          <div className="sm:col-span-2">
            <ErrorNotice error={create.error} />
          </div>
        ) : null}
        <TextField
          label="Metric name"
          name="metric_name"
          value={values.name}
          onChange={set("name")}
          placeholder="cpu_usage or yourname_latency"
          error={problems.name ?? messageFor(create.error, "name")}
        />
        <SelectField
          label="Metric type"
          value={values.metric_type}
          onChange={set("metric_type")}
          options={choices(METRIC_TYPES)}
        />
        <TextField
          label="Value"
          name="metric_value"
          inputMode="decimal"
          value={values.value}
          onChange={set("value")}
          error={problems.value}
        />
        <TextArea
          label="Labels (JSON object of strings)"
          rows={2}
          value={values.labels}
          onChange={set("labels")}
          placeholder='{"host": "web-1"}'
          error={problems.labels ?? messageFor(create.error, "labels")}
        />
        <div className="sm:col-span-2">
          <Button type="submit" busy={create.isPending}>
            Record metric
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function MetricsPage() {
  const [draft, setDraft] = useState({ name: "", metric_type: "" });
  const [filters, setFilters] = useState(draft);
  const [offset, setOffset] = useState(0);
  const [chartName, setChartName] = useState("");
  const query = {
    limit: LIMIT,
    offset,
    ...(filters.name ? { name: filters.name } : {}),
    ...(filters.metric_type ? { metric_type: filters.metric_type as Metric["metric_type"] } : {}),
  };
  const metrics = useQuery({
    queryKey: queryKeys.monitoring.metrics.list(query),
    queryFn: () => unwrap(api.GET("/monitoring/metrics", { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const names = useMemo(() => [...new Set((metrics.data ?? []).map((m) => m.name))].sort(), [metrics.data]);
  const shown = chartName || filters.name || names[0] || "";

  const columns: Column<Metric>[] = [
    { key: "time", header: "Recorded", render: (m) => formatDateTime(m.recorded_at) },
    {
      key: "name",
      header: "Name",
      render: (m) => (
        <button type="button" className="text-brand-700 underline" onClick={() => setChartName(m.name)}>
          {m.name}
        </button>
      ),
    },
    { key: "type", header: "Type", render: (m) => m.metric_type },
    { key: "value", header: "Value", className: "text-right tabular-nums", render: (m) => m.value },
    {
      key: "labels",
      header: "Labels",
      className: "font-mono text-xs",
      render: (m) => formatTags(m.labels as Record<string, unknown>),
    },
  ];

  return (
    <>
      <PageHeader title="Metrics" description="Stored metric points. Pick a name to chart its series." />
      <search aria-label="Filter metrics">
        <form
          className="mb-4 grid gap-3 sm:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters(draft);
            setChartName("");
            setOffset(0);
          }}
        >
          <TextField
            label="Name"
            value={draft.name}
            onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))}
          />
          <SelectField
            label="Type"
            value={draft.metric_type}
            onChange={(e) => setDraft((d) => ({ ...d, metric_type: e.target.value }))}
            options={choices(METRIC_TYPES, "Any type")}
          />
          <div className="flex items-end">
            <Button type="submit">Apply filters</Button>
          </div>
        </form>
      </search>
      <Card title={shown ? `Series: ${shown}` : "Series"} className="mb-4">
        {names.length > 1 ? (
          <div className="mb-3 max-w-xs">
            <SelectField
              label="Metric to chart"
              value={shown}
              onChange={(e) => setChartName(e.target.value)}
              options={choices(names)}
            />
          </div>
        ) : null}
        {shown ? <MetricChart name={shown} /> : <p className="text-sm text-slate-500">No metrics yet.</p>}
      </Card>
      {metrics.error ? <ErrorNotice error={metrics.error} /> : null}
      {metrics.isPending ? (
        <Loading />
      ) : (
        <Table
          caption="Metrics"
          columns={columns}
          rows={metrics.data ?? []}
          rowKey={(m) => m.id}
          empty="No metrics match."
        />
      )}
      <Pager
        offset={offset}
        limit={LIMIT}
        shown={metrics.data?.length ?? 0}
        total={null}
        onOffset={setOffset}
        className="mb-6"
      />
      <CreateMetric />
    </>
  );
}
