"""Monitoring request and response bodies (field names are the v1 contract's)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from starter.core.envelope import RequestModel, ResponseModel, Timestamp

EventType = Literal["log", "metric", "trace", "alert"]
MetricType = Literal["counter", "gauge", "histogram", "summary"]
Severity = Literal["low", "medium", "high", "critical"]
IncidentStatus = Literal["open", "investigating", "resolved", "closed"]
AlertStatus = Literal["active", "resolved", "silenced"]


class CreateEventRequest(RequestModel):
    event_type: str = Field(
        examples=["log"], description="log, metric, trace or alert (a bad value is a 400)."
    )
    source: str = Field(examples=["app-frontend"])
    message: str | None = None
    level: str | None = Field(default=None, examples=["info"])
    tags: dict[str, Any] = Field(default_factory=dict)
    payload: dict[str, Any] = Field(default_factory=dict)
    recorded_at: AwareDatetime | None = Field(default=None, strict=False)


class Event(ResponseModel):
    id: UUID
    event_type: EventType
    source: str
    message: str | None
    level: str | None
    tags: Any
    payload: Any
    recorded_at: Timestamp
    created_at: Timestamp


class CreateMetricRequest(RequestModel):
    name: str = Field(examples=["cpu_usage"])
    metric_type: MetricType
    value: float = Field(examples=[75.5])
    labels: dict[str, str] = Field(default_factory=dict)
    recorded_at: AwareDatetime | None = Field(default=None, strict=False)


class Metric(ResponseModel):
    id: UUID
    name: str
    metric_type: MetricType
    value: float
    labels: Any
    recorded_at: Timestamp
    created_at: Timestamp


class CreateIncidentRequest(RequestModel):
    title: str = Field(examples=["Checkout errors"])
    description: str | None = None
    severity: Severity
    assigned_to: UUID | None = Field(
        default=None, strict=False, description="Moderator or admin only."
    )


class UpdateIncidentRequest(RequestModel):
    title: str | None = None
    description: str | None = None
    severity: Severity | None = None
    status: IncidentStatus | None = None
    root_cause: str | None = None
    assigned_to: UUID | None = Field(default=None, strict=False)


class Incident(ResponseModel):
    id: UUID
    title: str
    description: str | None
    severity: Severity
    status: IncidentStatus
    started_at: Timestamp
    resolved_at: Timestamp | None
    root_cause: str | None
    created_by: UUID | None
    assigned_to: UUID | None
    created_at: Timestamp
    updated_at: Timestamp


class TimelineEntry(ResponseModel):
    id: UUID
    recorded_at: Timestamp
    event_type: EventType
    source: str
    message: str
    level: str | None
    tags: dict[str, Any]


class IncidentTimeline(ResponseModel):
    incident_id: UUID
    start_time: Timestamp
    end_time: Timestamp | None
    entries: list[TimelineEntry]
    total_count: int


class CreateAlertRequest(RequestModel):
    name: str = Field(examples=["High CPU"])
    description: str | None = None
    query: str = Field(
        examples=["metric cpu_usage avg over 5m > 90"],
        description="A rule: `metric <name> <agg> over <N><s|m|h> [where k=v,…]`, "
        "`events [event_type=…] [level=…] [source=…] count over <N><s|m|h>` or "
        "`tasks <status> count [older than <N><m|h>]`, optionally ending with "
        "`< | <= | > | >= | == <number>`.",
    )
    threshold_value: float | None = Field(
        default=None, description="Compared with `>` unless the query ends with a comparison."
    )
    open_incident: bool = Field(default=False, description="Open an incident when it fires.")
    incident_severity: Severity = "high"


class UpdateAlertRequest(RequestModel):
    name: str | None = None
    description: str | None = None
    query: str | None = None
    threshold_value: float | None = None
    status: AlertStatus | None = None
    open_incident: bool | None = None
    incident_severity: Severity | None = None


class Alert(ResponseModel):
    id: UUID
    name: str
    description: str | None
    query: str
    threshold_value: float | None
    status: AlertStatus
    triggered_at: Timestamp | None
    resolved_at: Timestamp | None
    created_by: UUID | None
    created_at: Timestamp
    updated_at: Timestamp
    firing: bool
    last_value: float | None
    last_evaluated_at: Timestamp | None
    open_incident: bool
    incident_severity: Severity
    incident_id: UUID | None


class MonitoringStats(ResponseModel):
    total_events: int
    total_metrics: int
    active_alerts: int
    open_incidents: int
    events_last_hour: int
    metrics_last_hour: int
