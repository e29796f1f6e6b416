"""The success envelope and the JSON primitives every schema shares."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    WrapSerializer,
)
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
Id = UUID
T = TypeVar("T")


class ApiResponse(BaseModel, Generic[T]):
    """`{"success":true,"data":…,"message":…}` — keys always present, in this order."""

    success: bool = True
    data: T
    message: str | None = None


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
