"""Incident request and response bodies (field names are the v1 API's)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from starter.core.envelope import RequestModel, ResponseModel, Timestamp
from starter.monitoring.events.schemas import EventType

Severity = Literal["low", "medium", "high", "critical"]
IncidentStatus = Literal["open", "investigating", "resolved", "closed"]
Title = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=10_000)]


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
