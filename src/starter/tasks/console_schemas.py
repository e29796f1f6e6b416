"""Bodies of the operator's console endpoints: queue metrics, bulk actions, attempt history."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, Strict

from starter.core.envelope import InputTimestamp, RequestModel, ResponseModel, Timestamp
from starter.tasks.names import NAME_MAX_BYTES
from starter.tasks.schemas import TaskStatus

MetricsWindow = Literal["1h", "24h", "7d"]
BulkAction = Literal["retry", "cancel", "delete"]
BULK_MAX_TASKS = 10_000


class MetricsBucket(ResponseModel):
    start: Timestamp
    created: int
    completed: int
    failed: int


class TypeMetrics(ResponseModel):
    task_type: str
    pending: int = Field(description="Waiting now: `pending` and `retrying`.")
    running: int
    oldest_pending_age_seconds: float | None = Field(
        description="Since the longest-waiting due task became due; null when none is due."
    )
    wait_p50_ms: float | None
    wait_p95_ms: float | None
    run_p50_ms: float | None
    run_p95_ms: float | None
    completed: int
    failed: int
    failure_rate: float | None = Field(description="failed / (completed + failed) in the window.")


class WorkerMetrics(ResponseModel):
    id: UUID
    hostname: str
    last_heartbeat_at: Timestamp
    in_flight: int


class QueueMetrics(ResponseModel):
    window: MetricsWindow
    bucket_seconds: int
    buckets: list[MetricsBucket]
    types: list[TypeMetrics]
    workers: list[WorkerMetrics] = Field(description="Live workers; empty for a plain user.")
    generated_at: Timestamp


class BulkFilter(RequestModel):
    status: TaskStatus | None = None
    task_type: str | None = Field(default=None, max_length=NAME_MAX_BYTES)
    created_before: InputTimestamp | None = Field(default=None, strict=False)


class BulkRequest(RequestModel):
    # Exactly one of the two, not null (a null one counts as absent): the service's rule.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["ids"], "properties": {"ids": {"type": "array"}}},
                {"required": ["filter"], "properties": {"filter": {"type": "object"}}},
            ]
        }
    )

    action: BulkAction
    ids: list[Annotated[UUID, Strict(False)]] | None = Field(
        default=None,
        max_length=BULK_MAX_TASKS,
        description="The tasks to act on (at most 10,000); give either `ids` or `filter`.",
    )
    filter: BulkFilter | None = Field(
        default=None,
        description="Every task the caller may see that matches all the given fields (oldest "
        "first, at most 10,000 per call: `truncated` says when more matched).",
    )


BulkOutcome = Literal["ok", "not_found", "invalid_state"]


class BulkResult(ResponseModel):
    id: UUID
    outcome: BulkOutcome
    message: str | None = None


class BulkResponse(ResponseModel):
    action: BulkAction
    matched: int
    succeeded: int
    failed: int
    truncated: bool
    results: list[BulkResult]


AttemptOutcome = Literal["running", "completed", "failed", "retrying", "cancelled"]


class AttemptResponse(ResponseModel):
    attempt: int
    worker_id: UUID | None
    started_at: Timestamp | None
    finished_at: Timestamp | None
    outcome: AttemptOutcome
    error: str | None
    traceback: str | None = Field(
        description="The handler's traceback of a failed run (its last 16,384 characters)."
    )
