"""Render every error the framework or our code raises as the contract's error envelope."""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from starter.core.envelope import CompactJSONResponse, error_body
from starter.core.errors import (
    AppError,
    InvalidJson,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
    ShapeInvalid,
    ValidationFailed,
)

log = structlog.get_logger(__name__)


def render(error: AppError) -> Response:
    return CompactJSONResponse(
        error_body(error.code, error.message), status_code=error.status, headers=error.headers
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc[1:]) or str(loc[0] if loc else "request")


def _reason(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    return message[0].lower() + message[1:] if message else "invalid value"


def translate_validation_error(exc: RequestValidationError) -> AppError:
    """Query/path problems are 400; a body that is not JSON is 400; a wrong shape is 422."""
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": ("body",), "msg": "invalid"}
    loc = tuple(first.get("loc", ("body",)))
    if first.get("type") == "json_invalid":
        return InvalidJson(f"Request body is not valid JSON: {first.get('msg', '')}".rstrip(": "))
    field = _field_name(loc)
    if loc and loc[0] == "body":
        if first.get("type") == "missing" and len(loc) == 1:
            return InvalidJson("Request body is required")
        return ShapeInvalid(f"Validation failed for {field or 'body'}: {_reason(first)}")
    return ValidationFailed(field, _reason(first))


async def _app_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return render(exc)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return render(translate_validation_error(exc))


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return render(NotFound())
    if exc.status_code == 405:
        return render(MethodNotAllowed(headers=dict(exc.headers or {})))
    error = AppError(str(exc.detail), code="HTTP_ERROR", headers=dict(exc.headers or {}))
    error.status = exc.status_code
    return render(error)


async def _database_gone(_request: Request, exc: Exception) -> Response:
    log.error("database.unavailable", error=type(exc).__name__)
    return render(ServiceUnavailable())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for error_type in (
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.CannotConnectNowError,
        asyncpg.TooManyConnectionsError,
        ConnectionError,
        TimeoutError,
    ):
        app.add_exception_handler(error_type, _database_gone)
