"""Reading task payload fields the way the original did: leniently, with its error messages."""

from __future__ import annotations

from typing import Any

from starter.tasks.errors import PermanentError
from starter.tasks.handlers.base import TaskContext


def payload_of(ctx: TaskContext) -> dict[str, Any]:
    """The payload object; anything else reads as an object without fields."""
    return ctx.payload if isinstance(ctx.payload, dict) else {}


def required_str(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str):
        raise PermanentError(f"Missing '{name}' field in payload")
    return value


def optional_bool(payload: dict[str, Any], name: str, default: bool) -> bool:
    value = payload.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise PermanentError(f"'{name}' must be a boolean")
    return value


def optional_str(payload: dict[str, Any], name: str, default: str) -> str:
    value = payload.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise PermanentError(f"'{name}' must be a string")
    return value


def is_number(value: Any) -> bool:
    """JSON numbers only: `bool` is an `int` subclass in Python but not a number in JSON."""
    return isinstance(value, int | float) and not isinstance(value, bool)
