/**
 * Chart wrappers over recharts. Only page chunks import this module, so recharts stays out
 * of the initial bundle. Every chart has a text alternative (aria-label + a caption).
 */
import type { ReactElement } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { MetricPoint } from "../lib/series";
import { SERIES_HEX as COLORS } from "../lib/statusColors";

function Figure({ label, height = 260, children }: { label: string; height?: number; children: ReactElement }) {
  return (
    <figure role="img" aria-label={label} className="w-full" style={{ height }} data-testid="chart">
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

function timeLabel(value: number): string {
  return new Date(value).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function TimeSeriesChart({ name, points }: { name: string; points: MetricPoint[] }) {
  return (
    <Figure label={`${name}: ${points.length} points over time`}>
      <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="time"
          type="number"
          scale="time"
          domain={["dataMin", "dataMax"]}
          tickFormatter={timeLabel}
          tick={{ fontSize: 11 }}
        />
        <YAxis tick={{ fontSize: 11 }} />
        <Tooltip labelFormatter={(value) => new Date(Number(value)).toLocaleString()} />
        <Line
          type="monotone"
          dataKey="value"
          name={name}
          stroke={COLORS[0]}
          dot={points.length < 60}
          isAnimationActive={false}
        />
      </LineChart>
    </Figure>
  );
}

export interface Slice {
  name: string;
  value: number;
  /** A status or level's own colour (lib/statusColors); otherwise the series palette. */
  color?: string;
}

export function SimpleBarChart({ label, data }: { label: string; data: Slice[] }) {
  return (
    <Figure label={`${label}: ${data.map((d) => `${d.name} ${d.value}`).join(", ")}`}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" tick={{ fontSize: 11 }} />
        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
        <Tooltip />
        <Bar dataKey="value" name={label}>
          {data.map((slice, index) => (
            <Cell key={slice.name} fill={slice.color ?? COLORS[index % COLORS.length]} />
          ))}
        </Bar>
      </BarChart>
    </Figure>
  );
}

export function DonutChart({ label, data }: { label: string; data: Slice[] }) {
  return (
    <Figure label={`${label}: ${data.map((d) => `${d.name} ${d.value}`).join(", ")}`}>
      <PieChart>
        <Pie data={data} dataKey="value" nameKey="name" innerRadius="55%" outerRadius="85%" isAnimationActive={false}>
          {data.map((slice, index) => (
            <Cell key={slice.name} fill={slice.color ?? COLORS[index % COLORS.length]} />
          ))}
        </Pie>
        <Tooltip />
        <Legend />
      </PieChart>
    </Figure>
  );
}
