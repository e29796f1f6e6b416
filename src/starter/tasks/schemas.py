"""Task request and response bodies (field names are the v1 API's)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from pydantic import Field, field_validator

from starter.core.envelope import (
    CheckedByService,
    InputTimestamp,
    RequestModel,
    ResponseModel,
    Timestamp,
    WholeNumber,
)
from starter.tasks.names import NAME_MAX_BYTES, NAME_PATTERN

TaskStatus = Literal["pending", "running", "completed", "failed", "cancelled", "retrying"]
TaskPriority = Literal["low", "normal", "high", "critical"]
STATUSES: tuple[str, ...] = get_args(TaskStatus)
PRIORITIES: tuple[str, ...] = get_args(TaskPriority)
# `GET /tasks?sort=`: a key sorts ascending, `-key` the exact reverse; `-priority` (critical
# first, then oldest) is the listing's order when none is given.
TaskSort = Literal["created_at", "-created_at", "priority", "-priority", "status", "-status"]
TEXT_SEARCH_MAX_CHARS = 200


# Checked by `tasks.names.task_type_problem` (400 with its messages, docs/tasks.md).
TaskTypeName = Annotated[
    str,
    CheckedByService(max_length=NAME_MAX_BYTES, min_length=1, pattern=NAME_PATTERN),
    Field(
        examples=["email"], description="Letters, digits, `_` and `-`; at most 128 bytes (UTF-8)."
    ),
]


class RegisterTaskTypeRequest(RequestModel):
    task_type: TaskTypeName
    description: str = Field(max_length=1000, examples=["Email notification tasks"])
    payload_schema: dict[str, Any] | None = Field(
        default=None,
        description="Our addition: a JSON Schema (draft 2020-12) every payload of this type "
        "must satisfy, checked when a task is created (not for built-in types, whose schema "
        "is their handler's). Omitted or null keeps the current one; `{}` accepts anything.",
        examples=[{"type": "object", "required": ["order_id"]}],
    )


class TaskTypeResponse(ResponseModel):
    task_type: str
    description: str | None
    is_active: bool
    created_at: Timestamp
    updated_at: Timestamp
    payload_schema: dict[str, Any] | None = Field(
        description="Our addition: the JSON Schema a payload must satisfy (null: any JSON)."
    )


class CreateTaskRequest(RequestModel):
    task_type: TaskTypeName
    payload: Any = Field(
        examples=[{"to": "a@example.com", "subject": "Hi", "body": "Hello"}],
        description="A JSON value (null allowed) of at most 1 MB serialized, which must satisfy "
        "the type's `payload_schema` (`GET /tasks/types`).",
    )
    priority: str | None = Field(
        default=None,
        max_length=256,
        examples=["normal"],
        description="low, normal, high or critical; anything else means normal.",
    )
    scheduled_at: InputTimestamp | None = Field(
        default=None, strict=False, description="Between 1 hour ago and 365 days ahead."
    )
    metadata: dict[str, Any] | None = None
    retry_strategy: Any = Field(
        default=None,
        examples=[{"fixed": {"interval": {"secs": 5, "nanos": 0}, "max_attempts": 3}}],
        description="Our addition: exponential, linear, fixed or none (default exponential, "
        "5 attempts).",
    )
    max_attempts: WholeNumber | None = Field(
        default=None,
        description="Our addition: 1–100; overrides the strategy's max_attempts.",
        json_schema_extra={"minimum": 1, "maximum": 100},  # checked by the service
    )


class TaskResponse(ResponseModel):
    id: UUID
    task_type: str
    status: TaskStatus
    priority: TaskPriority
    max_attempts: int
    current_attempt: int
    last_error: str | None
    created_at: Timestamp
    updated_at: Timestamp
    scheduled_at: Timestamp | None
    started_at: Timestamp | None
    completed_at: Timestamp | None
    created_by: UUID | None
    metadata: dict[str, Any]
    payload: Any = Field(description="Our addition: the task's input.")
    result: Any = Field(description="Our addition: the handler's output (null until done).")
    retry_strategy: Any = Field(description="Our addition: the stored retry strategy.")

    @field_validator("metadata", mode="before")
    @classmethod
    def _object_or_empty(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else {}


class TaskStats(ResponseModel):
    total: int
    pending: int
    running: int
    completed: int
    failed: int
    cancelled: int
    retrying: int


class WorkerResponse(ResponseModel):
    id: UUID
    hostname: str
    pid: int
    concurrency: int
    in_flight: int
    task_types: list[str]
    started_at: Timestamp
    heartbeat_at: Timestamp
