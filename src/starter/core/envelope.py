"""The success envelope and the JSON primitives every schema shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from starlette.responses import JSONResponse


def format_timestamp(value: datetime) -> str:
    """RFC 3339 UTC with exactly six fractional digits and `Z` (sorts lexicographically)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


Timestamp = Annotated[
    datetime, PlainSerializer(format_timestamp, return_type=str, when_used="json")
]
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
