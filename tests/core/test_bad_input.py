"""Hostile input sent to EVERY operation of the OpenAPI document: a NUL byte in the path, a query
parameter or any body string; JSON nested hundreds deep; strings past their documented cap;
integers beyond 64 bits. Each answer is a 4xx error envelope, never a 5xx. The operations are
read from the document, so new endpoints are covered without touching this file."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from starter.app import create_app
from starter.docs import build_openapi
from tests.support.paths import ROOT
from tests.support.settings import make_settings
from tests.support.users import AppUser, MakeUser

API = "/api/v1"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
DEEP = 300
HUGE = 1024 * 1024
TIMEOUT_SECS = 10
INVALID = "VALIDATION_FAILED"
# The web app's routes and files, and the API docs, share the path check.
NON_API_PATHS = ("/a%00b", "/assets/a%00b.js", "/api-docs%00", "/api/v1/a%00b")
# Valid RFC 3339 text whose instant is outside years 1–9999 once in UTC.
EDGE_TIMES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")
OVERFLOWING = (
    "9223372036854775808",
    "18446744073709551616",
    "1" + "0" * 30,
    "-9223372036854775809",
)

DOCUMENT = build_openapi(create_app(make_settings("postgresql://unused@127.0.0.1:1/unused")))
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]


# Sent last, so that if one of them wrongly succeeds the others still run signed in.
SESSION_ENDING = {("post", "/auth/logout"), ("post", "/auth/logout-all"), ("delete", "/users/me")}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (method, path, operation)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
    return sorted(found, key=lambda op: (op[0], op[1]) in SESSION_ENDING)


OPERATIONS = _operations()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema)
    for option in schema.get("anyOf", ()):
        if option.get("type") != "null":
            return _resolve(option)
    return schema


def _body_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return _resolve(content["application/json"]["schema"])


def _with_bodies() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, body schema) of every operation that takes a JSON body."""
    for method, path, operation in OPERATIONS:
        if (schema := _body_schema(operation)) is not None:
            yield method, path, schema


def _sample(schema: dict[str, Any]) -> Any:
    """A value of the right shape for a field (not necessarily one the rules accept)."""
    schema = _non_null(schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "examples" in schema:
        return schema["examples"][0]
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date-time":
            return (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        if schema.get("format") == "uuid":
            return str(uuid.uuid4())
        return "sample"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object" and "properties" in schema:
        return {name: _sample(schema["properties"][name]) for name in schema.get("required", ())}
    return {}


def _valid_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {name: _sample(schema["properties"][name]) for name in schema.get("required", ())}


def _deep(levels: int) -> bytes:
    """JSON nested `levels` containers deep (more than any encoder here would write)."""
    half = levels // 2
    return b'{"k":[' * half + b'"bottom"' + b"]}" * half


def _body_with(schema: dict[str, Any], name: str, raw: bytes) -> bytes:
    """A valid body whose field `name` is the JSON text `raw`, written by hand."""
    others = orjson.dumps({k: v for k, v in _valid_body(schema).items() if k != name})
    field = b'"%s":%s' % (name.encode(), raw)
    return b"{" + field + (b"," + others[1:] if others != b"{}" else b"}")


def _string_fields(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Free-text properties (strings that are not enums, dates or ids)."""
    for name, prop in schema.get("properties", {}).items():
        field = _non_null(prop)
        if field.get("type") == "string" and "enum" not in field and "format" not in field:
            yield name, field


def _json_fields(schema: dict[str, Any]) -> Iterator[str]:
    """Properties that take arbitrary JSON (objects, untyped values)."""
    for name, prop in schema.get("properties", {}).items():
        field = _non_null(prop)
        if "type" not in field or (field.get("type") == "object" and "properties" not in field):
            yield name


@pytest.fixture
async def ids(client: httpx.AsyncClient, admin: AppUser, make_user: MakeUser) -> dict[str, str]:
    """One real resource per `{id}` path, so requests get past the lookup to the input checks."""
    headers = admin.headers
    other = await make_user()

    async def created(path: str, body: dict[str, Any]) -> str:
        response = await client.post(f"{API}{path}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return str(response.json()["data"]["id"])

    return {
        "/users/": other.id,
        "/api-keys/": await created("/api-keys", {"name": "probe"}),
        "/tasks/": await created(
            "/tasks", {"task_type": "data_processing", "payload": {"data": [1]}}
        ),
        "/monitoring/events/": await created(
            "/monitoring/events", {"event_type": "log", "source": admin.username}
        ),
        "/monitoring/incidents/": await created(
            "/monitoring/incidents", {"title": "probe", "severity": "low"}
        ),
        "/monitoring/alerts/": await created(
            "/monitoring/alerts", {"name": "probe", "query": "tasks failed count > 1"}
        ),
    }


def _url(path: str, ids: dict[str, str]) -> str:
    prefix = next((p for p in ids if path.startswith(p)), None)
    filled = path.replace("{id}", ids[prefix] if prefix else str(uuid.uuid4()))
    return API + filled


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str],
    *,
    body: bytes | None = None,
) -> httpx.Response:
    if body is not None:
        headers = {**headers, "content-type": "application/json"}
    request = client.request(method.upper(), url, headers=headers, content=body)
    try:
        return await asyncio.wait_for(request, TIMEOUT_SECS)
    except TimeoutError:  # e.g. an event stream that opened instead of refusing
        return httpx.Response(599, text=f"no answer within {TIMEOUT_SECS} s")


def _problem(
    response: httpx.Response,
    where: str,
    *,
    status: int | None = None,
    naming: str | None = None,
    code: str | None = None,
) -> str | None:
    """Why this answer is wrong, or None: a 4xx error envelope (with that status and field)."""
    if not 400 <= response.status_code < 500:
        return f"{where}: {response.status_code} {response.text[:200]}"
    try:
        body = response.json()
    except ValueError:
        return f"{where}: {response.status_code} without a JSON body"
    error = body.get("error") if isinstance(body, dict) else None
    if set(body) != {"error"} or not error.get("code") or not error.get("message"):
        return f"{where}: {response.status_code} is not the error envelope: {body}"
    if status is not None and response.status_code != status:
        return f"{where}: expected {status}, got {response.status_code} {body}"
    if code is not None and error["code"] != code:
        return f"{where}: code {error['code']}, expected {code}"
    if naming is not None and naming not in error["message"]:
        return f"{where}: the message does not name {naming!r}: {error['message']}"
    return None


def _assert_none(problems: list[str | None]) -> None:
    found = [problem for problem in problems if problem]
    assert not found, f"{len(found)} bad answers:\n" + "\n".join(found)


async def test_nul_in_any_query_parameter_is_400_naming_it(
    client: httpx.AsyncClient, admin: AppUser, ids: dict[str, str]
) -> None:
    problems: list[str | None] = []
    for method, path, operation in OPERATIONS:
        declared = [p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"]
        for name in [*declared, "undeclared"]:
            url = f"{_url(path, ids)}?{name}=a%00b"
            response = await _send(client, method, url, admin.headers)
            where = f"{method.upper()} {path}?{name}=a%00b"
            problems.append(_problem(response, where, status=400, naming=name, code=INVALID))
    _assert_none(problems)


async def test_nul_in_the_path_is_400(
    client: httpx.AsyncClient, admin: AppUser, ids: dict[str, str]
) -> None:
    problems: list[str | None] = []
    for method, path, _operation in OPERATIONS:
        url = API + path.replace("{id}", "a%00b") if "{id}" in path else _url(path, ids) + "%00"
        response = await _send(client, method, url, admin.headers)
        problems.append(_problem(response, f"{method.upper()} {url}", status=400, code=INVALID))
    for url in NON_API_PATHS:
        response = await _send(client, "get", url, admin.headers)
        problems.append(_problem(response, f"GET {url}", status=400, code=INVALID))
    _assert_none(problems)


async def test_nul_in_any_body_string_is_400_naming_the_field(
    client: httpx.AsyncClient, admin: AppUser, ids: dict[str, str]
) -> None:
    problems: list[str | None] = []
    for method, path, schema in _with_bodies():
        url = _url(path, ids)
        cases: list[tuple[str, dict[str, Any]]] = []
        for name, _field in _string_fields(schema):
            cases.append((name, {**_valid_body(schema), name: "a\u0000b"}))
        for name in _json_fields(schema):
            cases.append((name, {**_valid_body(schema), name: {"tag": ["ok", "a\u0000b"]}}))
            cases.append((name, {**_valid_body(schema), name: {"a\u0000b": 1}}))
        for name, body in cases:
            response = await _send(client, method, url, admin.headers, body=orjson.dumps(body))
            where = f"{method.upper()} {path} NUL in {name}"
            problems.append(_problem(response, where, status=400, naming=name, code=INVALID))
    _assert_none(problems)


async def test_json_nested_past_the_depth_limit_is_400(
    client: httpx.AsyncClient, admin: AppUser, ids: dict[str, str]
) -> None:
    problems: list[str | None] = []
    for method, path, schema in _with_bodies():
        url = _url(path, ids)
        targets = [*_json_fields(schema), "unknown_field"]
        for name in targets:
            body = _body_with(schema, name, _deep(DEEP))
            response = await _send(client, method, url, admin.headers, body=body)
            where = f"{method.upper()} {path} {name} nested {DEEP} deep"
            problems.append(_problem(response, where, status=400, naming=name, code=INVALID))
    _assert_none(problems)


def test_every_free_text_field_documents_a_length_cap() -> None:
    missing = [
        f"{method.upper()} {path}: {name}"
        for method, path, schema in _with_bodies()
        for name, field in _string_fields(schema)
        if "maxLength" not in field
    ]
    assert not missing, "free-text fields without maxLength:\n" + "\n".join(missing)


def test_docs_limits_lists_every_documented_cap() -> None:
    table = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    missing = [
        f"| `{method.upper()} {path}` | `{name}` | {field['maxLength']}"
        for method, path, schema in _with_bodies()
        for name, field in _string_fields(schema)
        if f"| `{method.upper()} {path}` | `{name}` | {field['maxLength']}" not in table
    ]
    assert not missing, "docs/limits.md lacks (or disagrees on) these caps:\n" + "\n".join(missing)


async def test_strings_past_their_cap_are_refused(
    client: httpx.AsyncClient, admin: AppUser, ids: dict[str, str]
) -> None:
    problems: list[str | None] = []
    for method, path, schema in _with_bodies():
        url = _url(path, ids)
        for name, field in _string_fields(schema):
            size = field.get("maxLength", HUGE - 1) + 1
            body = orjson.dumps({**_valid_body(schema), name: "x" * size})
            response = await _send(client, method, url, admin.headers, body=body)
            where = f"{method.upper()} {path} {name} of {size} characters"
            problems.append(_problem(response, where))
    _assert_none(problems)


async def test_integers_beyond_64_bits_are_400(
    client: httpx.AsyncClient, admin: AppUser, ids: dict[str, str]
) -> None:
    problems: list[str | None] = []
    for method, path, operation in OPERATIONS:
        url = _url(path, ids)
        for parameter in operation.get("parameters", ()):
            if parameter["in"] != "query" or _non_null(parameter["schema"]).get("type") != (
                "integer"
            ):
                continue
            for value in OVERFLOWING:
                name = parameter["name"]
                response = await _send(client, method, f"{url}?{name}={value}", admin.headers)
                where = f"{method.upper()} {path}?{name}={value}"
                problems.append(_problem(response, where, status=400, naming=name, code=INVALID))
        schema = _body_schema(operation)
        for name, prop in (schema or {}).get("properties", {}).items():
            kind = _non_null(prop).get("type")
            if kind not in ("integer", "number"):
                continue
            for value in OVERFLOWING:
                body = _body_with(schema or {}, name, value.encode())
                response = await _send(client, method, url, admin.headers, body=body)
                where = f"{method.upper()} {path} {name}={value}"
                if kind == "integer":
                    problems.append(_problem(response, where, naming=name))
                elif response.status_code >= 500:  # a double that large is still a number
                    problems.append(f"{where}: {response.status_code} {response.text[:200]}")
    _assert_none(problems)


async def test_datetimes_outside_the_utc_range_are_400(
    client: httpx.AsyncClient, admin: AppUser, ids: dict[str, str]
) -> None:
    problems: list[str | None] = []
    for method, path, operation in OPERATIONS:
        url = _url(path, ids)
        for parameter in operation.get("parameters", ()):
            if _non_null(parameter["schema"]).get("format") != "date-time":
                continue
            for value in EDGE_TIMES:
                name = parameter["name"]
                query = f"{name}={value.replace('+', '%2B')}"
                response = await _send(client, method, f"{url}?{query}", admin.headers)
                where = f"{method.upper()} {path}?{query}"
                problems.append(_problem(response, where, status=400, naming=name, code=INVALID))
    for method, path, schema in _with_bodies():
        url = _url(path, ids)
        for name, prop in schema.get("properties", {}).items():
            if _non_null(prop).get("format") != "date-time":
                continue
            for value in EDGE_TIMES:
                body = orjson.dumps({**_valid_body(schema), name: value})
                response = await _send(client, method, url, admin.headers, body=body)
                where = f"{method.upper()} {path} {name}={value}"
                problems.append(_problem(response, where, status=400, naming=name, code=INVALID))
    _assert_none(problems)
