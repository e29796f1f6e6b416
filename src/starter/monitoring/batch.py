"""Batch ingest, shared by events and metrics: the cap, one element's checks as the single
endpoint makes them, and the per-element answer (docs/monitoring.md, "Batch ingest")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from uuid import UUID

from pydantic import Field, ValidationError

from starter.core.envelope import LIMIT_ERRORS, RequestModel, ResponseModel
from starter.core.errors import AppError, ShapeInvalid, ValidationFailed, validation_reason

MAX_BATCH = 1000
# A batch's list is declared `list[Annotated[Any, WithJsonSchema(<element schema>)]]`: the raw
# elements at run time, each checked on its own (one bad element does not refuse the others),
# the element's schema in the docs.
Body = TypeVar("Body", bound=RequestModel)


class BatchTooLarge(AppError):
    status = 400
    code = "BATCH_TOO_LARGE"


class Rejection(ResponseModel):
    index: int = Field(description="Position of the element in the submitted list (from 0).")
    status: int = Field(examples=[400], description="What the single endpoint would have answered.")
    code: str = Field(examples=["VALIDATION_FAILED"])
    message: str


class BatchResult(ResponseModel):
    accepted: int = Field(description="How many elements were stored.")
    rejected: list[Rejection] = Field(description="The refused elements, in submitted order.")
    ids: list[UUID | None] = Field(
        description="One per submitted element, in order: its new id, or null if refused."
    )


def require_size(count: int, noun: str) -> None:
    if count > MAX_BATCH:
        raise BatchTooLarge(f"A batch holds at most {MAX_BATCH} {noun} ({count} given)")


def parse(model: type[Body], item: object) -> Body:
    """One element as the single endpoint's body: 422 for a wrong shape, 400 past a cap."""
    try:
        # As FastAPI validates a body (the same error for a non-object element); elements
        # come from JSON, so there are no attributes to read but a dict's.
        return model.model_validate(item, from_attributes=True)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        if first["type"] in LIMIT_ERRORS:
            raise ValidationFailed(field, validation_reason(first)) from None
        raise ShapeInvalid(f"Validation failed for {field}: {validation_reason(first)}") from None


def sort_out(
    items: Sequence[object], check: Callable[[object], None]
) -> tuple[list[int], list[Rejection]]:
    """Run `check` on every element: the indexes that passed, and a rejection for each that
    raised (with what the single endpoint would have answered)."""
    passed: list[int] = []
    rejected: list[Rejection] = []
    for index, item in enumerate(items):
        try:
            check(item)
        except AppError as error:
            rejected.append(
                Rejection(index=index, status=error.status, code=error.code, message=error.message)
            )
        else:
            passed.append(index)
    return passed, rejected


def result(
    total: int, stored: Sequence[int], ids: Sequence[UUID], rejected: list[Rejection]
) -> BatchResult:
    """`stored[k]` is the submitted index whose row got `ids[k]`."""
    by_index: list[UUID | None] = [None] * total
    for index, new_id in zip(stored, ids, strict=True):
        by_index[index] = new_id
    return BatchResult(accepted=len(ids), rejected=rejected, ids=by_index)
