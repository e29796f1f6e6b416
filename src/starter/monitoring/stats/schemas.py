"""The body of GET /monitoring/stats."""

from __future__ import annotations

from starter.core.envelope import ResponseModel


class MonitoringStats(ResponseModel):
    total_events: int
    total_metrics: int
    active_alerts: int
    open_incidents: int
    events_last_hour: int
    metrics_last_hour: int
