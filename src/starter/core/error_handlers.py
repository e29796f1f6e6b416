"""Render every error the framework or our code raises as the error envelope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from starter.core.db import CONNECTION_ERRORS, database_unavailable
from starter.core.deps import discard_request_connection
from starter.core.envelope import LIMIT_ERRORS, CompactJSONResponse, error_body
from starter.core.errors import (
    AppError,
    InvalidJson,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
    ShapeInvalid,
    ValidationFailed,
    validation_reason,
)
from starter.core.routing import pending_body_error

log = structlog.get_logger(__name__)
HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def render(error: AppError) -> Response:
    return CompactJSONResponse(
        error_body(error.code, error.message), status_code=error.status, headers=error.headers
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc[1:]) or str(loc[0] if loc else "request")


def _parameter_reason(error: Mapping[str, Any]) -> str:
    """Our wording for a path or query parameter's bounds; pydantic's for anything else."""
    bounds = error.get("ctx") or {}
    if error.get("type") == "greater_than_equal" and bounds.get("ge") == 0:
        return "must not be negative"
    if error.get("type") == "less_than_equal":
        return f"must be at most {bounds['le']}"
    return validation_reason(error)


def translate_validation_error(
    exc: RequestValidationError, body_error: AppError | None = None
) -> AppError:
    """Path, then query problems are 400; then the body: not JSON 400 (or 415), wrong shape 422."""
    errors = list(exc.errors())
    params = [e for e in errors if tuple(e.get("loc", ()))[:1] in {("path",), ("query",)}]
    params.sort(key=lambda e: 0 if e["loc"][0] == "path" else 1)
    if body_error is not None and not params:
        return body_error
    first = (params or errors or [{"loc": ("body",), "msg": "invalid"}])[0]
    loc = tuple(first.get("loc", ("body",)))
    if first.get("type") == "json_invalid":
        return InvalidJson(f"Request body is not valid JSON: {first.get('msg', '')}".rstrip(": "))
    field = _field_name(loc)
    if loc and loc[0] == "body":
        if first.get("type") == "missing" and len(loc) == 1:
            return InvalidJson("Request body is required")
        if first.get("type") in LIMIT_ERRORS:  # the right shape, over a documented cap
            return ValidationFailed(field or "body", validation_reason(first))
        return ShapeInvalid(f"Validation failed for {field or 'body'}: {validation_reason(first)}")
    return ValidationFailed(field, _parameter_reason(first))


async def _app_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return render(exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return render(translate_validation_error(exc, pending_body_error(request)))


WrongMethod = Callable[[Request], Awaitable[AppError | None]]


def allowed_methods(request: Request) -> set[str]:
    """Every method some route serves at this path. The router's own 405 lists the methods of
    the first route whose path matched, but one path's methods may be declared by several
    routes and routers; each method is tried against the app's routes as the router would."""
    routes = request.app.router.routes
    return {
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    }


def _http_error(wrong_method: WrongMethod | None) -> Callable[..., Awaitable[Response]]:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            return render(NotFound())
        if exc.status_code == 405:
            instead = await wrong_method(request) if wrong_method is not None else None
            if methods := allowed_methods(request):
                headers = {"Allow": ", ".join(sorted(methods))}
            return render(instead or MethodNotAllowed(headers=headers))
        error = AppError(str(exc.detail), code="HTTP_ERROR", headers=headers)
        error.status = exc.status_code
        return render(error)

    return http_error


async def _database_error(request: Request, exc: Exception) -> Response:
    """503 when the database cannot serve now (lost, full, read-only, shutting down…); any
    other database error goes on to the last-resort boundary (a logged 500)."""
    if not database_unavailable(exc):
        raise exc
    if isinstance(exc, CONNECTION_ERRORS):
        discard_request_connection(request.scope["state"])
    log.error(
        "database.unavailable", error=type(exc).__name__, sqlstate=getattr(exc, "sqlstate", None)
    )
    return render(ServiceUnavailable())


def install_error_handlers(app: FastAPI, *, wrong_method: WrongMethod | None = None) -> None:
    """The app's only exception handlers. `wrong_method` may answer a 405 with another error
    (authentication comes first on a protected path)."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error(wrong_method))
    database_errors: tuple[type[BaseException], ...] = (asyncpg.PostgresError, *CONNECTION_ERRORS)
    for error_type in database_errors:
        if issubclass(error_type, Exception):
            app.add_exception_handler(error_type, _database_error)
