"""Monitoring request and response bodies (field names are the v1 API's)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from starter.core.envelope import (
    CheckedByService,
    InputTimestamp,
    RequestModel,
    ResponseModel,
    Timestamp,
)
from starter.monitoring.rule_lexer import MAX_RULE_LENGTH

EventType = Literal["log", "metric", "trace", "alert"]
MetricType = Literal["counter", "gauge", "histogram", "summary"]
Severity = Literal["low", "medium", "high", "critical"]
IncidentStatus = Literal["open", "investigating", "resolved", "closed"]
AlertStatus = Literal["active", "resolved", "silenced"]
Title = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=10_000)]
# The rule language's own limit, checked (with its message) by the lexer.
RuleText = Annotated[str, CheckedByService(max_length=MAX_RULE_LENGTH)]


class CreateEventRequest(RequestModel):
    # Lengths checked by the service (UTF-8 bytes) after the source ownership rule.
    event_type: Annotated[str, CheckedByService(max_length=50)] = Field(
        examples=["log"], description="log, metric, trace or alert (a bad value is a 400)."
    )
    source: Annotated[str, CheckedByService(max_length=200)] = Field(examples=["app-frontend"])
    message: Annotated[str, CheckedByService(max_length=10_000)] | None = None
    level: Annotated[str, CheckedByService(max_length=20)] | None = Field(
        default=None, examples=["info"]
    )
    tags: dict[str, Any] = Field(default_factory=dict)
    payload: dict[str, Any] = Field(default_factory=dict)
    recorded_at: InputTimestamp | None = Field(default=None, strict=False)


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
    # Checked by the service (UTF-8 bytes) after the name ownership rule.
    name: Annotated[str, CheckedByService(max_length=100)] = Field(examples=["cpu_usage"])
    metric_type: MetricType
    value: float = Field(examples=[75.5])
    labels: dict[str, str] = Field(default_factory=dict)
    recorded_at: InputTimestamp | None = Field(default=None, strict=False)


class Metric(ResponseModel):
    id: UUID
    name: str
    metric_type: MetricType
    value: float
    labels: Any
    recorded_at: Timestamp
    created_at: Timestamp


class CreateIncidentRequest(RequestModel):
    title: Title = Field(examples=["Checkout errors"])
    description: LongText | None = None
    severity: Severity
    assigned_to: UUID | None = Field(
        default=None, strict=False, description="Moderator or admin only."
    )


class UpdateIncidentRequest(RequestModel):
    title: Title | None = None
    description: LongText | None = None
    severity: Severity | None = None
    status: IncidentStatus | None = None
    root_cause: LongText | None = None
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
    name: Title = Field(examples=["High CPU"])
    description: LongText | None = None
    query: RuleText = Field(
        examples=["metric cpu_usage avg over 5m > 90"],
        description="A rule: `metric <name> <agg> over <N><s|m|h> [where k=v,…]`, "
        "`events [event_type=…] [level=…] [source=…] count over <N><s|m|h>` or "
        "`tasks <status> count [older than <N><m|h>]`, optionally ending with "
        "`< | <= | > | >= | == <number>`; or the plain `<metric_name> <op> <number>` "
        "(e.g. `cpu_usage > 80`), the metric's latest value.",
    )
    threshold_value: float | None = Field(
        default=None, description="Compared with `>` unless the query ends with a comparison."
    )
    open_incident: bool = Field(default=False, description="Open an incident when it fires.")
    incident_severity: Severity = "high"


class UpdateAlertRequest(RequestModel):
    name: Title | None = None
    description: LongText | None = None
    query: RuleText | None = None
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
