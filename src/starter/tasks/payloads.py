"""What a task type's payload must look like, checked when a task is created.

A built-in type's rule is its handler's payload model (the handler checks it again in the
worker); a type registered through the API may carry a JSON Schema (draft 2020-12), checked
with `jsonschema`. Remote `$ref`s are never fetched.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match

from starter.core.errors import ValidationFailed
from starter.tasks.handlers._payload import TaskPayload, payload_problem
from starter.tasks.registry import handlers_by_type

SCHEMA_MAX_BYTES = 65_536
_MESSAGE_MAX_CHARS = 300


@cache
def _builtin_models() -> dict[str, type[TaskPayload] | None]:
    return {name: spec.payload_model for name, spec in handlers_by_type().items()}


def builtin_model(task_type: str) -> type[TaskPayload] | None:
    return _builtin_models().get(task_type)


@cache
def _builtin_schema(task_type: str) -> dict[str, Any] | None:
    model = builtin_model(task_type)
    return model.model_json_schema() if model is not None else None


def payload_schema(task_type: str, stored: Any) -> dict[str, Any] | None:
    """The JSON Schema published for a type: its model's, or the one it was registered with."""
    builtin = _builtin_schema(task_type)
    if builtin is not None:
        return builtin
    return stored if isinstance(stored, dict) else None


def check_registered_schema(task_type: str, schema: dict[str, Any]) -> None:
    """A schema given when registering a type: valid JSON Schema, of a sane size, and not for a
    built-in type (whose rule is its model)."""
    if builtin_model(task_type) is not None:
        raise ValidationFailed(
            "payload_schema", f"Built-in type '{task_type}' has its own payload schema"
        )
    if len(orjson.dumps(schema)) > SCHEMA_MAX_BYTES:
        raise ValidationFailed("payload_schema", "Payload schema cannot exceed 64KB")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ValidationFailed("payload_schema", _short(error.message)) from None


def check_payload(
    task_type: str,
    stored_schema: Any,
    payload: Any,
    validator: Draft202012Validator | None = None,
) -> None:
    """400 naming the payload field when `payload` breaks the type's rule (`validator`: the
    stored schema's, when the caller has one built)."""
    model = builtin_model(task_type)
    if model is not None:
        problem = payload_problem(model, payload)
        if problem is not None:
            field, message = problem
            raise ValidationFailed(f"payload.{field}" if field else "payload", message)
        return
    if not isinstance(stored_schema, dict):
        return
    validator = validator or Draft202012Validator(stored_schema)
    error = best_match(validator.iter_errors(payload))
    if error is not None:
        path = ".".join(str(part) for part in error.absolute_path)
        raise ValidationFailed(f"payload.{path}" if path else "payload", _short(error.message))


def _short(message: str) -> str:
    if len(message) <= _MESSAGE_MAX_CHARS:
        return message
    return message[:_MESSAGE_MAX_CHARS] + "…"
