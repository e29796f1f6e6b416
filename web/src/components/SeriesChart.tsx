/**
 * Counts per time bucket, one bar series per key (task outcomes, event levels). Pages load
 * this lazily, so recharts stays out of the initial bundle. The figure carries a text
 * alternative with each series' total.
 */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface Series {
  key: string;
  name: string;
  color: string;
}

export type BucketRow = { label: string } & Record<string, number | string>;

export function SeriesChart({
  label,
  rows,
  series,
  stacked = false,
  height = 240,
}: {
  label: string;
  rows: BucketRow[];
  series: Series[];
  stacked?: boolean;
  height?: number;
}) {
  const totals = series.map(
    (s) => `${rows.reduce((sum, row) => sum + Number(row[s.key] ?? 0), 0)} ${s.name.toLowerCase()}`,
  );
  return (
    <figure
      role="img"
      aria-label={`${label}: ${totals.join(", ")}`}
      className="w-full"
      style={{ height }}
      data-testid="chart"
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
          <Tooltip />
          <Legend itemSorter={null} />
          {series.map((s) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.name}
              fill={s.color}
              isAnimationActive={false}
              {...(stacked ? { stackId: "all" } : {})}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
