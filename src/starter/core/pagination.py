"""`limit`/`offset` query parameters with per-endpoint defaults and caps.

Read from the query string by hand rather than declared as FastAPI parameters: on a list read,
FastAPI's per-parameter machinery cost more server CPU than the page's query (bench/http.py).
The values go through the same pydantic rules as declared parameters would (so the same 400
messages), and `page_params` documents both in the OpenAPI document (`include_api` adds them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.routing import BaseRoute

from starter.core.errors import ValidationFailed, validation_reason
from starter.core.routing import RESOLVED_BY_ROUTE, request_value

_INTEGER: TypeAdapter[int] = TypeAdapter(int)
OPENAPI_PARAMETERS = "openapi_parameters"


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _query_integer(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return _INTEGER.validate_python(raw)
    except ValidationError as error:
        raise ValidationFailed(name, validation_reason(error.errors()[0])) from None


def _parameter(name: str, description: str) -> dict[str, Any]:
    schema = {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": name.title()}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def page_params(
    default_limit: int, max_limit: int | None = None, *, clamp: bool = False
) -> Callable[[Request], Awaitable[Page]]:
    """Build a dependency reading `limit`/`offset`; negatives are 400, over-cap is 400 or clamped."""

    @request_value  # resolved by the route, not FastAPI's dependency solver
    async def dependency(request: Request) -> Page:
        limit = _query_integer(request, "limit")
        resolved = default_limit if limit is None else limit
        if resolved < 0:
            raise ValidationFailed("limit", "must not be negative")
        if max_limit is not None and resolved > max_limit:
            if not clamp:
                raise ValidationFailed("limit", f"must be at most {max_limit}")
            resolved = max_limit
        offset = _query_integer(request, "offset")
        start = 0 if offset is None else offset
        if start < 0:
            raise ValidationFailed("offset", "must not be negative")
        return Page(limit=resolved, offset=start)

    cap = (
        ""
        if max_limit is None
        else f", at most {max_limit}" + ("; larger values are clamped" if clamp else "")
    )
    setattr(
        dependency,
        OPENAPI_PARAMETERS,
        [
            _parameter("limit", f"Page size (default {default_limit}{cap})."),
            _parameter("offset", "Items to skip (default 0)."),
        ],
    )
    return dependency


def document_page_parameters(routes: Iterable[BaseRoute]) -> None:
    """Put the page parameters into the OpenAPI operations of the routes that read them
    (idempotent: routers are shared by every app built in one process)."""
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        resolvers = getattr(route.endpoint, RESOLVED_BY_ROUTE, ())
        for resolver in (*resolvers, *(d.call for d in route.dependant.dependencies)):
            parameters = getattr(resolver, OPENAPI_PARAMETERS, ())
            if not parameters:
                continue
            extra = route.openapi_extra = route.openapi_extra or {}
            documented = extra.setdefault("parameters", [])
            known = {parameter["name"] for parameter in documented}
            documented.extend(p for p in parameters if p["name"] not in known)
