"""The error responses of every operation in the OpenAPI document, derived from what its route
declares: its auth guard, its path and query parameters, its body, its use of the database.

A route's own `responses=` adds only what its rules answer (a 409, a 429, a 401 for a wrong
password, a 404 without a path parameter); everything derived here a new route gets by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from starter.auth.deps import GUARDS, require_admin, require_moderator
from starter.core.config import ServerSettings
from starter.core.deps import get_conn, get_pool, get_tx
from starter.core.envelope import ErrorDetail, ErrorResponse

ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")
_DATABASE = frozenset({get_conn, get_tx, get_pool})
_ROLE_GUARDS: dict[object, str] = {require_moderator: "moderator", require_admin: "admin"}
_MIB = 1024 * 1024


def error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for dependency in dependant.dependencies:
        yield from _dependants(dependency)


def _has_path_params(route: APIRoute) -> bool:
    return any(d.path_params for d in _dependants(route.dependant))


def _bad_input(route: APIRoute) -> str | None:
    parts = [
        name
        for name, present in (
            ("path parameter", _has_path_params(route)),
            ("query parameter", any(d.query_params for d in _dependants(route.dependant))),
            ("header", any(d.header_params for d in _dependants(route.dependant))),
            ("JSON body or a field past its limit", route.body_field is not None),
        )
        if present
    ]
    return f"Invalid {' or '.join(parts)}" if parts else None


def _guard(route: APIRoute) -> object:
    return route.dependant.dependencies[0].call if route.dependant.dependencies else None


def _guarded(route: APIRoute) -> bool:
    return _guard(route) in GUARDS


def _forbidden(route: APIRoute) -> str:
    guard = _guard(route)
    role = _ROLE_GUARDS.get(guard)
    needs = f"The {role} role, an" if role else "An"
    return f"{needs} API key's scope or the CSRF check does not allow it"


def derived_errors(route: APIRoute, secured: bool) -> dict[str, str]:
    """Status → description of every error the route can answer whatever its handler does."""
    errors: dict[str, str] = {}
    if reason := _bad_input(route):
        errors["400"] = reason
    if secured:
        errors["401"] = "Missing or invalid credentials"
        errors["403"] = _forbidden(route)
    if _has_path_params(route):
        errors["404"] = "No such resource, or not one the caller may see"
    if route.body_field is not None:
        max_mib = ServerSettings.model_fields["max_body_bytes"].default / _MIB
        errors["413"] = f"Request body larger than {max_mib:g} MiB (by default)"
        errors["415"] = "Content-Type is not application/json"
        errors["422"] = "JSON body of the wrong shape"
    calls = {d.call for d in _dependants(route.dependant)}
    if secured or calls & (_DATABASE | GUARDS):
        errors["503"] = "The database cannot serve the request now"
    return errors


def _routes(app: FastAPI) -> dict[str, APIRoute]:
    """The app's routes by operation id (the route's name, `app._operation_id`)."""
    return {
        context.original_route.name: context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    }


def document_error_responses(document: dict[str, Any], app: FastAPI) -> None:
    """Describe the errors every operation really answers, all in the error envelope.

    FastAPI documents its own 422 body (`HTTPValidationError`), which we never send: our 422 is
    the envelope and only for JSON bodies of the wrong shape; bad path/query values are 400.
    """
    routes = _routes(app)
    for item in document["paths"].values():
        for operation in item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            responses.pop("422", None)
            route = routes.get(operation.get("operationId", ""))
            secured = bool(operation.get("security")) or (route is not None and _guarded(route))
            derived = derived_errors(route, secured) if route else {}
            for status, description in derived.items():
                responses.setdefault(status, error_response(description))
            for status, response in responses.items():
                if status[0] in "45" and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            operation["responses"] = dict(sorted(responses.items()))
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    error_schema.pop("$defs", None)
    schemas.setdefault("ErrorDetail", ErrorDetail.model_json_schema())
    schemas.setdefault("ErrorResponse", error_schema)
