/** Turning stored rows into chart series (pure, so it is unit-tested). */
import type { Metric } from "../api/types";

export interface MetricPoint {
  time: number;
  value: number;
}

/** One metric's points in time order (the API lists newest first). */
export function metricSeries(metrics: readonly Metric[], name: string): MetricPoint[] {
  return metrics
    .filter((metric) => metric.name === name)
    .map((metric) => ({ time: new Date(metric.recorded_at).getTime(), value: metric.value }))
    .sort((a, b) => a.time - b.time);
}
