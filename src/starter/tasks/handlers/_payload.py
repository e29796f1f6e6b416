"""Payload models of the built-in handlers: one pydantic model per type, checked when the task is
created (`POST /tasks` answers 400 naming the field) and again by the handler in the worker,
with the messages v1 clients know (`Missing 'to' field in payload`, …; docs/tasks.md)."""

from __future__ import annotations

import math
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from starter.core.errors import validation_reason
from starter.tasks.errors import PermanentError

P = TypeVar("P", bound="TaskPayload")
_OURS = "payload_rule"


class TaskPayload(BaseModel):
    """JSON types as written (no `"5"` for a number), unknown fields ignored, and `null` for
    an optional field means absent (its default)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        optional = {name for name, field in cls.model_fields.items() if not field.is_required()}
        return {k: v for k, v in data.items() if v is not None or k not in optional}


def is_number(value: Any) -> bool:
    """JSON numbers only: `bool` is an `int` subclass in Python but not a number in JSON."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def invalid(message: str) -> PydanticCustomError:
    """A rule of ours failed: `message` is shown as it is (it names the field itself)."""
    return PydanticCustomError(_OURS, "{message}", {"message": message})


def non_negative_number(name: str, maximum: float) -> Any:
    """A before-validator: a JSON number between 0 and `maximum`."""

    def check(value: Any) -> Any:
        if not is_number(value) or not value >= 0:
            raise invalid(f"'{name}' must be a non-negative number")
        if not math.isfinite(value) or value > maximum:
            raise invalid(f"'{name}' must be at most {maximum:g}")
        return value

    return check


def _describe(model: type[TaskPayload], error: ErrorDetails) -> tuple[str, str]:
    """(field, message) for one pydantic error, in the handlers' wording."""
    loc = error.get("loc", ())
    field = str(loc[0]) if loc else ""
    kind = error["type"]
    if kind == _OURS or not field:
        return field, str(error["msg"])
    required = field in model.model_fields and model.model_fields[field].is_required()
    if kind == "missing" or (required and kind == "string_type"):
        return field, f"Missing '{field}' field in payload"
    if kind == "bool_type":
        return field, f"'{field}' must be a boolean"
    if kind == "string_type":
        return field, f"'{field}' must be a string"
    return field, f"'{field}' {validation_reason(error)}"


def payload_problem(model: type[TaskPayload], payload: Any) -> tuple[str, str] | None:
    """(field, message) of the first problem of `payload`, or None when the model accepts it."""
    try:
        model.model_validate(_as_object(payload))
    except ValidationError as error:
        return _describe(model, error.errors()[0])
    return None


def parse_payload(model: type[P], payload: Any) -> P:
    """The handler's view of its payload; a payload that cannot work is a PermanentError."""
    try:
        return model.model_validate(_as_object(payload))
    except ValidationError as error:
        raise PermanentError(_describe(model, error.errors()[0])[1]) from None


def _as_object(payload: Any) -> Any:
    """Anything but an object reads as an object without fields (v1 clients rely on it)."""
    return payload if isinstance(payload, dict) else {}
