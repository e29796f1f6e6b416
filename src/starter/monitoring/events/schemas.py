"""Event request and response bodies (field names are the v1 API's)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, WithJsonSchema

from starter.core.envelope import (
    CheckedByService,
    InputTimestamp,
    RequestModel,
    ResponseModel,
    Timestamp,
)
from starter.monitoring.batch import MAX_BATCH

EventType = Literal["log", "metric", "trace", "alert"]


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


class CreateEventBatchRequest(RequestModel):
    events: list[Annotated[Any, WithJsonSchema(CreateEventRequest.model_json_schema())]] = Field(
        json_schema_extra={"maxItems": MAX_BATCH},
        description=f"At most {MAX_BATCH} events, each checked as POST /monitoring/events "
        "checks its body; the refused ones are reported, the others stored.",
    )
