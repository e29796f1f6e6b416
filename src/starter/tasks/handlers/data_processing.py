"""`data_processing`: count, sum, mean, min, max, sort or dedupe a JSON array."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal, get_args

import orjson
from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from starter.tasks.errors import PermanentError
from starter.tasks.handlers._payload import TaskPayload, invalid, is_number, parse_payload
from starter.tasks.handlers.base import HandlerSpec, TaskContext

Operation = Literal["count", "sum", "mean", "min", "max", "sort", "dedupe"]
OPERATIONS: tuple[str, ...] = get_args(Operation)
# Above this many elements the work runs in a thread so the event loop stays responsive.
THREAD_THRESHOLD = 10_000
_INT64_MIN = -(2**63)
_UINT64_MAX = 2**64 - 1


def _array(data: Any, operation: str) -> list[Any]:
    if not isinstance(data, list):
        raise PermanentError(f"Data is not an array for {operation} operation")
    return data


def _numbers(data: list[Any]) -> list[int | float]:
    for index, value in enumerate(data):
        if not is_number(value):
            raise PermanentError(f"Element at index {index} is not a number")
    return data


def _json_number(value: int | float) -> int | float:
    """Results must be storable as JSON: no infinities, integers within 64 bits."""
    if isinstance(value, float) and not math.isfinite(value):
        raise PermanentError("Result is not a finite number")
    if isinstance(value, int) and not _INT64_MIN <= value <= _UINT64_MAX:
        return float(value)  # JSON readers treat numbers as doubles anyway
    return value


def _sum(numbers: list[int | float]) -> int | float:
    if all(isinstance(value, int) for value in numbers):
        return sum(numbers)
    return math.fsum(numbers)  # exact rounding, independent of element order


def _nonempty(numbers: list[int | float], operation: str) -> list[int | float]:
    if not numbers:
        raise PermanentError(f"Cannot compute {operation} of an empty array")
    return numbers


def _sorted(data: list[Any], descending: bool) -> list[Any]:
    if all(is_number(value) for value in data) or all(isinstance(value, str) for value in data):
        return sorted(data, reverse=descending)
    raise PermanentError("Sort needs an array of only numbers or only strings")


def canonical_key(value: Any) -> bytes:
    """Equal JSON values (object key order aside) give equal keys."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _dedupe(data: list[Any]) -> list[Any]:
    seen: set[bytes] = set()
    unique = []
    for value in data:
        key = canonical_key(value)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def compute(operation: str, data: Any, descending: bool = False) -> Any:
    """The result of `operation` on `data` (pure, CPU-bound)."""
    if operation == "count":
        return len(_array(data, operation))
    if operation == "sort":
        return _sorted(_array(data, operation), descending)
    if operation == "dedupe":
        return _dedupe(_array(data, operation))
    numbers = _numbers(_array(data, operation))
    reducers: dict[str, Callable[[list[int | float]], int | float]] = {
        "sum": _sum,
        "mean": lambda values: math.fsum(_nonempty(values, "mean")) / len(values),
        "min": lambda values: min(_nonempty(values, "min")),
        "max": lambda values: max(_nonempty(values, "max")),
    }
    try:
        return _json_number(reducers[operation](numbers))
    except OverflowError:
        raise PermanentError("Result is not a finite number") from None


def _known_operation(value: Any) -> Any:
    if value not in OPERATIONS:
        raise invalid(f"Unknown operation: {value}")
    return value


class DataProcessingPayload(TaskPayload):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"operation": "sum", "data": [3, 1, 4, 1, 5, 9, 2, 6]}]}
    )

    # Declared first: an unknown operation is reported before the data.
    operation: Annotated[Operation, BeforeValidator(_known_operation)] = "count"
    data: list[Any] = Field(description="The JSON array to work on.")
    descending: bool = Field(default=False, description="Sort from largest to smallest.")

    @model_validator(mode="before")
    @classmethod
    def _data_is_an_array(cls, data: Any) -> Any:
        if isinstance(data, dict) and "data" in data and not isinstance(data["data"], list):
            operation = data.get("operation")
            if operation is None or operation in OPERATIONS:
                operation = operation or "count"
                raise invalid(f"Data is not an array for {operation} operation")
        return data


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = parse_payload(DataProcessingPayload, ctx.payload)
    data, operation, descending = payload.data, payload.operation, payload.descending
    if len(data) > THREAD_THRESHOLD:
        result = await asyncio.to_thread(compute, operation, data, descending)
    else:
        result = compute(operation, data, descending)
    return {"operation": operation, "result": result, "count": len(data)}


SPEC = HandlerSpec(
    task_type="data_processing",
    description="Data processing and analysis tasks",
    handle=handle,
    payload_model=DataProcessingPayload,
)
