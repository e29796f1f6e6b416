"""Metric request and response bodies (field names are the v1 API's)."""

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

MetricType = Literal["counter", "gauge", "histogram", "summary"]


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


class CreateMetricBatchRequest(RequestModel):
    metrics: list[Annotated[Any, WithJsonSchema(CreateMetricRequest.model_json_schema())]] = Field(
        json_schema_extra={"maxItems": MAX_BATCH},
        description=f"At most {MAX_BATCH} metrics, each checked as POST /monitoring/metrics "
        "checks its body; the refused ones are reported, the others stored.",
    )
