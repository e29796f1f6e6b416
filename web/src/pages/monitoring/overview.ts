/** The monitoring overview's series (pure, so they are unit-tested). */
import type { Alert, Incident, MonitoringEvent } from "../../api/types";
import type { Slice } from "../../components/charts";
import type { BucketRow, Series } from "../../components/SeriesChart";
import { levelColor, statusColor } from "../../lib/statusColors";

const HOUR = 3_600_000;
const LEVEL_ORDER = ["fatal", "critical", "error", "warning", "warn", "notice", "info", "debug", "trace"];
export const NO_LEVEL = "none";
// Lighter than the grey of debug and trace, which it would otherwise share.
const NO_LEVEL_HEX = "#cbd5e1";

/** Events per level per hour over the last `hours` hours, oldest first, one series per level seen. */
export function eventsPerLevel(
  events: readonly MonitoringEvent[],
  hours: number,
  now: number = Date.now(),
): { rows: BucketRow[]; series: Series[] } {
  const end = Math.floor(now / HOUR) * HOUR + HOUR;
  const start = end - hours * HOUR;
  const rows: BucketRow[] = Array.from({ length: hours }, (_, index) => {
    const at = new Date(start + index * HOUR);
    return { label: `${String(at.getHours()).padStart(2, "0")}:00` };
  });
  const levels = new Set<string>();
  for (const event of events) {
    const time = new Date(event.recorded_at).getTime();
    if (Number.isNaN(time) || time < start || time >= end) continue;
    const level = event.level?.toLowerCase() || NO_LEVEL;
    levels.add(level);
    const row = rows[Math.floor((time - start) / HOUR)];
    if (row) row[level] = Number(row[level] ?? 0) + 1;
  }
  const rank = (level: string) => {
    const index = LEVEL_ORDER.indexOf(level);
    return index === -1 ? LEVEL_ORDER.length : index;
  };
  const ordered = [...levels].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const row of rows) for (const level of ordered) row[level] ??= 0;
  return {
    rows,
    series: ordered.map((level) => ({
      key: level,
      name: level,
      color: level === NO_LEVEL ? NO_LEVEL_HEX : levelColor(level),
    })),
  };
}

const SEVERITY_ORDER = ["critical", "high", "medium", "low"];

export function incidentsBySeverity(incidents: readonly Incident[]): Slice[] {
  const open = incidents.filter((incident) => incident.status === "open" || incident.status === "investigating");
  return SEVERITY_ORDER.map((severity) => ({
    name: severity,
    value: open.filter((incident) => incident.severity === severity).length,
    color: statusColor(severity),
  }));
}

export function alertStates(alerts: readonly Alert[]): Slice[] {
  const silenced = alerts.filter((alert) => alert.status === "silenced").length;
  const firing = alerts.filter((alert) => alert.status !== "silenced" && alert.firing).length;
  const slices = [
    { name: "firing", value: firing, color: statusColor("failed") },
    { name: "ok", value: alerts.length - firing - silenced, color: statusColor("completed") },
    { name: "silenced", value: silenced, color: statusColor("silenced") },
  ];
  return slices.filter((slice) => slice.value > 0);
}
