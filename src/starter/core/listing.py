"""`list_response`: a page of database records as the success envelope, rendered by orjson
(`record_response`: one record).

Why: validating each record into its response model and dumping the models costs the server
several times what orjson takes for the same rows (figures in bench/README.md). The response
model stays the one definition of the shape: the rendering is derived from its fields (order,
aliases, types), a model whose JSON form could differ is refused when first used, and
tests/core/test_list_response.py checks every list endpoint's bytes against pydantic's.

Declare the model for the OpenAPI document with `response_model=ApiResponse[list[Model]]`.
A list that counts its matches passes `total=`, sent as the `X-Total-Count` header so the
envelope stays as it is; such a route declares `responses=COUNTED` (or merges it in).
"""

from __future__ import annotations

import enum
import inspect
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal, Protocol, Union, get_args, get_origin
from uuid import UUID

import orjson
from pydantic import BaseModel, TypeAdapter, WrapSerializer
from pydantic.fields import FieldInfo
from starlette.responses import Response

from starter.core.envelope import Timestamp


class Row(Protocol):
    """A database record (or any mapping) read by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


Validator = Callable[[Any], Any]

_TIMESTAMP_SERIALIZER = next(m for m in get_args(Timestamp)[1:] if isinstance(m, WrapSerializer))
_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)
# orjson writes these exactly as pydantic-core does (JSON values come from jsonb via orjson).
_AS_IS: frozenset[Any] = frozenset({str, bool, int, Any, type(None)})
_CONTAINERS = (list, dict)


@dataclass(frozen=True, slots=True)
class _Plan:
    pairs: tuple[tuple[str, str], ...]  # (JSON key, record key), in the model's field order
    uuids: tuple[str, ...]
    floats: tuple[str, ...]
    timestamps: tuple[str, ...]
    validators: tuple[tuple[str, Validator], ...]  # the model's own `mode="before"` validators


def _without_none(annotation: Any) -> tuple[Any, list[Any]]:
    """The annotation without `| None`, and the metadata of an `Annotated` inside it."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(rest) == 1:
            annotation = rest[0]
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        return inner, metadata
    return annotation, []


def _is_json_value(annotation: Any) -> bool:
    """Types orjson and pydantic-core render alike: JSON scalars, text choices, containers."""
    if annotation in _AS_IS:
        return True
    if get_origin(annotation) is Literal:
        return all(isinstance(value, str | bool | int) for value in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.StrEnum):
        return True
    if annotation in _CONTAINERS or get_origin(annotation) in _CONTAINERS:
        return all(_is_json_value(arg) for arg in get_args(annotation))
    return False


def _kind(model: type[BaseModel], name: str, field: FieldInfo) -> str:
    annotation, inner = _without_none(field.annotation)
    metadata = [*field.metadata, *inner]
    if annotation is datetime and _TIMESTAMP_SERIALIZER in metadata:
        return "timestamp"
    if annotation is UUID:
        return "uuid"
    if annotation is float:
        return "float"
    if _is_json_value(annotation):
        return "as-is"
    raise TypeError(
        f"{model.__name__}.{name}: {field.annotation!r} is not rendered by list_response "
        "(supported: str, bool, int, float, UUID, Timestamp, text choices, JSON values)"
    )


def _before_validators(model: type[BaseModel]) -> dict[str, Validator]:
    decorators = model.__pydantic_decorators__
    refused = [
        *decorators.field_serializers,
        *decorators.model_serializers,
        *decorators.model_validators,
        *decorators.computed_fields,
    ]
    found: dict[str, Validator] = {}
    for name, decorator in decorators.field_validators.items():
        takes_value_only = len(inspect.signature(decorator.func).parameters) == 1
        if decorator.info.mode != "before" or not takes_value_only or "*" in decorator.info.fields:
            refused.append(name)
        found.update(dict.fromkeys(decorator.info.fields, decorator.func))
    if refused:
        raise TypeError(f"{model.__name__}: {refused} are not rendered by list_response")
    return found


@cache
def _plan(model: type[BaseModel]) -> _Plan:
    if model.model_config.get("ser_json_inf_nan", "null") != "null":
        raise TypeError(f"{model.__name__}: only the default float rendering is supported")
    validators = _before_validators(model)
    pairs: list[tuple[str, str]] = []
    kinds: dict[str, list[str]] = {"uuid": [], "float": [], "timestamp": [], "as-is": []}
    validated: list[tuple[str, Validator]] = []
    for name, field in model.model_fields.items():
        if field.exclude or getattr(field, "exclude_if", None) is not None:
            continue
        source = field.alias if isinstance(field.alias, str) else name
        key = field.serialization_alias or source
        pairs.append((key, source))
        kinds[_kind(model, name, field)].append(key)
        if name in validators:
            validated.append((key, validators[name]))
    return _Plan(
        tuple(pairs),
        tuple(kinds["uuid"]),
        tuple(kinds["float"]),
        tuple(kinds["timestamp"]),
        tuple(validated),
    )


def _row(plan: _Plan, row: Row) -> dict[str, Any]:
    item = {key: row[source] for key, source in plan.pairs}
    for key, validate in plan.validators:
        item[key] = validate(item[key])
    for key in plan.uuids:
        if (value := item[key]) is not None:
            item[key] = str(value)
    for key in plan.floats:
        if (value := item[key]) is not None and type(value) is not float:
            item[key] = float(value)
    for key in plan.timestamps:
        # orjson writes a UTC datetime as `Timestamp` does, except without a fraction when the
        # microseconds are zero: those (and any other zone) `Timestamp` renders itself.
        value = item[key]
        if value is not None and not (value.microsecond and value.tzinfo is UTC):
            item[key] = _TIMESTAMP.dump_python(value, mode="json")
    return item


def rows_json(model: type[BaseModel], rows: Iterable[Row]) -> list[dict[str, Any]]:
    """The records as the JSON-ready dicts pydantic would dump for `model`."""
    plan = _plan(model)
    return [_row(plan, row) for row in rows]


TOTAL_COUNT_HEADER = "X-Total-Count"
COUNTED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            TOTAL_COUNT_HEADER: {
                "description": "How many items match the filters in all pages.",
                "schema": {"type": "integer", "minimum": 0},
            }
        }
    }
}


def list_response(
    model: type[BaseModel],
    rows: Iterable[Row],
    message: str | None = None,
    *,
    total: int | None = None,
) -> Response:
    """`{"success":true,"data":[…],"message":…}` with each record rendered as `model`, and
    `X-Total-Count: total` when a total is given."""
    body = {"success": True, "data": rows_json(model, rows), "message": message}
    headers = None if total is None else {TOTAL_COUNT_HEADER: str(total)}
    return Response(
        orjson.dumps(body, option=orjson.OPT_UTC_Z),
        media_type="application/json",
        headers=headers,
    )


def whole_list_response(
    model: type[BaseModel], rows: Sequence[Row], message: str | None = None
) -> Response:
    """A list answered whole (no page), whose length is its `X-Total-Count`."""
    return list_response(model, rows, message, total=len(rows))


def record_response(model: type[BaseModel], row: Row, message: str | None = None) -> Response:
    """`{"success":true,"data":{…},"message":…}`: one record rendered as `model`, the same way."""
    body = {"success": True, "data": _row(_plan(model), row), "message": message}
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z), media_type="application/json")
