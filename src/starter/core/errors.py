"""The one error hierarchy. Every 4xx/5xx the API sends is an `AppError` rendered as
`{"error":{"code":…,"message":…}}` by `core.error_handlers`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AppError(Exception):
    """An error with a stable machine code, a human message and an HTTP status."""

    status: int = 500
    code: str = "INTERNAL_ERROR"
    default_message: str = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        self.headers = headers or {}
        super().__init__(self.message)


class ValidationFailed(AppError):
    """400 `Validation failed for {field}: {detail}` (docs/api-conventions.md)."""

    status = 400
    code = "VALIDATION_FAILED"

    def __init__(self, field: str, detail: str) -> None:
        self.field = field
        self.detail = detail
        super().__init__(f"Validation failed for {field}: {detail}")


def validation_reason(error: Mapping[str, Any]) -> str:
    """One pydantic error as the detail of `Validation failed for {field}: {detail}`."""
    message = str(error.get("msg", "invalid value"))
    return message[0].lower() + message[1:] if message else "invalid value"


class BadRequest(AppError):
    status = 400
    code = "INVALID_INPUT"
    default_message = "Invalid input"


class InvalidJson(AppError):
    status = 400
    code = "INVALID_JSON"
    default_message = "Request body is not valid JSON"


class Unauthorized(AppError):
    status = 401
    code = "UNAUTHORIZED"
    default_message = "Unauthorized access"


class InvalidCredentials(AppError):
    status = 401
    code = "INVALID_CREDENTIALS"
    default_message = "Invalid credentials"


class Forbidden(AppError):
    status = 403
    code = "FORBIDDEN"
    default_message = "Access denied"


class NotFound(AppError):
    status = 404
    code = "NOT_FOUND"
    default_message = "The requested resource was not found"


class MethodNotAllowed(AppError):
    status = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed"


class RequestTimeout(AppError):
    status = 408
    code = "REQUEST_TIMEOUT"
    default_message = "The request did not arrive in time"


class Conflict(AppError):
    status = 409
    code = "CONFLICT"
    default_message = "Conflict"


class PayloadTooLarge(AppError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body exceeds the 2 MiB limit"


class UnsupportedMediaType(AppError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Expected request with `Content-Type: application/json`"


class ShapeInvalid(AppError):
    """422: valid JSON of the wrong shape (missing field, wrong type, bad enum)."""

    status = 422
    code = "VALIDATION_FAILED"


class RateLimited(AppError):
    status = 429
    code = "RATE_LIMITED"
    default_message = "Too many requests; try again later"

    def __init__(self, retry_after_secs: int, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after_secs))})


class InternalError(AppError):
    status = 500
    code = "INTERNAL_ERROR"
    default_message = "Internal server error"


class ServiceUnavailable(AppError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "Service unavailable"
