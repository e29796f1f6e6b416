"""The success envelope and the JSON primitives every schema shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import orjson
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    WrapSerializer,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError
from starlette.responses import JSONResponse

RFC3339_MICROS_LENGTH = len("2025-01-02T03:04:05.123456Z")


def _timestamp_json(value: datetime, render: SerializerFunctionWrapHandler) -> str:
    """RFC 3339 UTC with exactly six fractional digits and `Z` (sorts lexicographically).

    pydantic-core renders a UTC datetime as `…:05.123456Z` in Rust; it only drops the
    fraction when it is zero, which we put back (cheaper than formatting in Python)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    text: str = render(value)
    return text if len(text) == RFC3339_MICROS_LENGTH else text[:-1] + ".000000Z"


Timestamp = Annotated[datetime, WrapSerializer(_timestamp_json, return_type=str, when_used="json")]


def _representable_in_utc(value: datetime) -> datetime:
    """Within years 1–9999 once in UTC (Python's range; PostgreSQL stores it in UTC): without
    this, `0001-01-01T00:00+14:00` would fail in the database driver."""
    try:
        (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            OUT_OF_RANGE, "Input should be between years 1 and 9999 in UTC"
        ) from None
    return value


def _not_a_number(value: object) -> object:
    """pydantic reads a number (or a numeric string) as Unix time; a date-time is written as
    RFC 3339, as the schema says."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
    elif not isinstance(value, int | float):
        return value
    raise PydanticCustomError("datetime_type", "Input should be an RFC 3339 date-time")


def _whole(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An integer of a request body: JSON does not tell 8 from 8.0, and strict pydantic would refuse
# the second (a fraction still fails).
WholeNumber = Annotated[int, BeforeValidator(_whole)]


OUT_OF_RANGE = "datetime_out_of_range"
# Pydantic errors of a value past a cap (docs/limits.md): a 400, where a wrong shape is a 422.
LIMIT_ERRORS = frozenset({"string_too_long", "too_long", OUT_OF_RANGE})
IN_UTC_RANGE = AfterValidator(_representable_in_utc)
# A datetime a client sends (with an offset), as every request schema and query declares one.
InputTimestamp = Annotated[AwareDatetime, BeforeValidator(_not_a_number), IN_UTC_RANGE]
Id = UUID
T = TypeVar("T")


class ApiResponse(BaseModel, Generic[T]):
    """`{"success":true,"data":…,"message":…}` — keys always present, in this order."""

    success: bool = True
    data: T
    message: str | None = None


@dataclass(frozen=True)
class CheckedByService:
    """`Annotated[str, CheckedByService(max_length=…)]`: the limits of a string that its domain's
    service checks itself (in UTF-8 bytes, with the domain's own messages, after its ownership
    rules), published in the JSON Schema as `maxLength`/`minLength`/`pattern`
    (docs/limits.md)."""

    max_length: int
    min_length: int | None = None
    pattern: str | None = None

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented = handler(schema)
        documented["maxLength"] = self.max_length
        if self.min_length is not None:
            documented["minLength"] = self.min_length
        if self.pattern is not None:
            documented["pattern"] = self.pattern
        return documented


class RequestModel(BaseModel):
    """Base for request bodies: serde-like strictness (no `"5"`→int), unknown fields ignored.

    Fields that must accept JSON strings (datetimes, UUIDs) opt out with `Field(strict=False)`.
    """

    model_config = ConfigDict(strict=True, extra="ignore")


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def ok(data: T, message: str | None = None) -> ApiResponse[T]:
    return ApiResponse[T](data=data, message=message)


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class CompactJSONResponse(JSONResponse):
    """Compact UTF-8 JSON (`"success":true`, no spaces) rendered by orjson."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


class ErrorDetail(BaseModel):
    code: str = Field(examples=["VALIDATION_FAILED"])
    message: str = Field(examples=["Validation failed for email: Invalid email format"])


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Validation error",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    422: "Request body has the wrong shape",
}


def error_responses(
    *statuses: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: each status documented as the error envelope, with the shared
    description unless `described` gives the route's own."""
    text = {**ERROR_DESCRIPTIONS, **(described or {})}
    return {status: {"model": ErrorResponse, "description": text[status]} for status in statuses}
