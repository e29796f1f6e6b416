"""Our OpenAPI document: committed copy is current, every operation is documented and typed,
security is declared, every v1 operation is covered, and /api-docs serves it with local assets."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

import httpx
import pytest
from pydantic import BaseModel

from starter.app import create_app
from starter.auth.deps import Admin
from starter.core.routing import api_router
from starter.docs import build_openapi
from tests.support.paths import ROOT
from tests.support.settings import make_settings

COMMITTED = ROOT / "docs" / "openapi.json"
# The v1 API document existing clients were written against: every operation in it stays.
REFERENCE = ROOT / "tests" / "compat" / "openapi-v1.json"
REGENERATE = ".venv/bin/starter export-openapi --output docs/openapi.json"
# Areas (first path segment) whose every v1 operation must exist in ours.
REQUIRED_AREAS = {"auth", "users", "health", "admin"}
# Unlike v1, registering task types needs admin or an API key scope (docs/tasks.md).
NOW_PROTECTED = {("post", "/tasks/types")}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
NON_JSON_TYPES = {"text/plain", "text/event-stream", "application/octet-stream", "text/csv"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # No lifespan: building the document touches no database.
    return build_openapi(create_app(make_settings("postgresql://unused@127.0.0.1:1/unused")))


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _area(path: str) -> str:
    return path.strip("/").split("/")[0]


def test_committed_document_is_current(document: dict[str, Any]) -> None:
    assert COMMITTED.exists(), f"docs/openapi.json is missing: run `{REGENERATE}`"
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    # Normalize through JSON so tuples/ints compare the way they are written.
    generated = json.loads(json.dumps(document))
    assert committed == generated, (
        f"docs/openapi.json differs from the code's document: regenerate it with `{REGENERATE}`"
    )


def test_every_operation_is_documented(document: dict[str, Any]) -> None:
    problems: list[str] = []
    ids: dict[str, str] = {}
    for method, path, operation in _operations(document):
        where = f"{method.upper()} {path}"
        if not operation.get("tags"):
            problems.append(f"{where}: no tags")
        if not operation.get("summary"):
            problems.append(f"{where}: no summary")
        operation_id = operation.get("operationId", "")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", operation_id):
            problems.append(
                f"{where}: operationId {operation_id!r} is not a stable snake_case name"
            )
        elif operation_id in ids:
            problems.append(f"{where}: operationId {operation_id} also used by {ids[operation_id]}")
        ids[operation_id] = where
        content = operation["responses"].get("200", {}).get("content", {})
        if "application/json" in content:
            ref = content["application/json"].get("schema", {}).get("$ref", "")
            if not ref.startswith("#/components/schemas/ApiResponse_"):
                problems.append(
                    f"{where}: 200 is not a typed success envelope ({ref or 'untyped'})"
                )
        elif not set(content) & NON_JSON_TYPES:
            problems.append(f"{where}: 200 declares no content type")
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                ref = schema.get("$ref", "")
                if status == "503" and path.startswith("/health/") and "ApiResponse_" in ref:
                    continue  # probes answer 503 with the success envelope
                if ref != "#/components/schemas/ErrorResponse":
                    problems.append(f"{where}: {status} is not the error envelope")
    assert not problems, "\n".join(problems)


def test_envelope_schemas_are_typed(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        if name.startswith("ApiResponse_"):
            assert set(schema["properties"]) == {"success", "data", "message"}, name
            assert schema["properties"]["data"], f"{name}: data is untyped"
    assert "HTTPValidationError" not in json.dumps(document)
    assert schemas["ErrorResponse"]["properties"]["error"] == {
        "$ref": "#/components/schemas/ErrorDetail"
    }


def test_security_schemes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer_auth"]["type"] == "http"
    assert schemes["bearer_auth"]["scheme"] == "bearer"
    api_key = schemes["api_key"]
    assert (api_key["type"], api_key["in"], api_key["name"]) == ("apiKey", "header", "X-API-Key")


def test_protected_operations_reference_the_schemes(document: dict[str, Any]) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    public = {
        (method, path)
        for method, path, operation in _operations(reference)
        if not operation.get("security")
    } - NOW_PROTECTED
    assert ("post", "/auth/login") in public and ("get", "/health") in public
    for method, path, operation in _operations(document):
        security = operation.get("security")
        if (method, path) in public:
            assert not security, f"{method.upper()} {path} is public in the v1 document"
        elif path.startswith("/health"):
            assert not security, f"{method.upper()} {path}: probes are public"
        elif security is not None:
            assert {"bearer_auth": []} in security, f"{method.upper()} {path}"
            assert {"api_key": []} in security, f"{method.upper()} {path}"
            assert "401" in operation["responses"], f"{method.upper()} {path}: 401 undocumented"
    protected = [op for _m, p, op in _operations(document) if p in ("/auth/me", "/users/{id}")]
    assert protected and all(op.get("security") for op in protected)


def test_v1_operations_exist_with_same_method_path_and_parameters(
    document: dict[str, Any],
) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    implemented = {_area(path) for path in document["paths"]} | REQUIRED_AREAS
    checked: set[str] = set()
    problems: list[str] = []
    for method, path, expected in _operations(reference):
        area = _area(path)
        if area not in implemented:
            continue
        checked.add(area)
        ours = document["paths"].get(path, {}).get(method)
        where = f"{method.upper()} {path}"
        if ours is None:
            problems.append(f"{where}: missing")
            continue
        if ours["operationId"] != expected["operationId"]:
            problems.append(
                f"{where}: operationId {ours['operationId']} != {expected['operationId']}"
            )
        wanted = {(p["name"], p["in"]) for p in expected.get("parameters", [])}
        have = {(p["name"], p["in"]) for p in ours.get("parameters", [])}
        if wanted - have:
            problems.append(f"{where}: parameters {sorted(wanted - have)} missing")
        if ("requestBody" in expected) != ("requestBody" in ours):
            problems.append(f"{where}: request body presence differs from the v1 document")
    assert checked >= REQUIRED_AREAS
    assert not problems, "\n".join(problems)


async def test_api_docs_page_uses_local_assets(client: httpx.AsyncClient) -> None:
    response = await client.get("/api-docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "swagger-ui" in html.lower()
    assert "/api-docs/openapi.json" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//[^"']+""", html)
    assert not external, f"external assets in /api-docs: {external}"
    assert "cdn" not in html.lower()
    assets = re.findall(r"""(?:src|href)=["'](/api-docs/assets/[^"']+)""", html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        fetched = await client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 100, asset


async def test_api_docs_serves_the_document(client: httpx.AsyncClient) -> None:
    response = await client.get("/api-docs/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    served = response.json()
    assert served["openapi"].startswith("3.")
    assert "/auth/login" in served["paths"]
    assert all(not path.startswith("/api/v1") for path in served["paths"])
    assert served == json.loads(COMMITTED.read_text(encoding="utf-8")), (
        f"served document differs from docs/openapi.json: run `{REGENERATE}`"
    )


# Statuses each of these operations answers in its own tests; the document must list them.
ANSWERED = {
    ("post", "/auth/login"): {"400", "401", "413", "415", "422", "429", "503"},
    ("post", "/auth/register"): {"400", "409", "413", "415", "422"},
    ("delete", "/api-keys/{id}"): {"400", "401", "403", "404", "503"},
    ("get", "/admin/health"): {"401", "403"},
    ("get", "/users"): {"400", "401", "403"},
    ("post", "/users"): {"400", "401", "403", "409", "413", "415", "422"},
    ("put", "/users/me/password"): {"400", "401", "422"},
    ("post", "/auth/refresh"): {"401", "409"},
    ("post", "/tasks/{id}/cancel"): {"400", "401", "404"},
    ("get", "/tasks/types"): {"503"},
}


def test_every_status_the_server_answers_is_documented(document: dict[str, Any]) -> None:
    for (method, path), statuses in ANSWERED.items():
        documented = set(document["paths"][path][method]["responses"])
        assert statuses <= documented, f"{method.upper()} {path}: {statuses - documented}"


def test_errors_follow_from_what_each_operation_declares(document: dict[str, Any]) -> None:
    """Secured → 401/403/503; a body → 400/413/415/422; path parameters → 400/404; query
    parameters → 400."""
    problems: list[str] = []
    for method, path, operation in _operations(document):
        wanted: set[str] = set()
        if operation.get("security"):
            wanted |= {"401", "403", "503"}
        if "requestBody" in operation:
            wanted |= {"400", "413", "415", "422"}
        where = {p["in"] for p in operation.get("parameters", [])}
        if "path" in where:
            wanted |= {"400", "404"}
        if "query" in where:
            wanted.add("400")
        if missing := wanted - set(operation["responses"]):
            problems.append(f"{method.upper()} {path}: {sorted(missing)}")
    assert not problems, "\n".join(problems)


class ProbeBody(BaseModel):
    name: str


def test_a_new_route_gets_its_error_responses() -> None:
    """Nothing per route: a route added with a guard, a path parameter and a body is
    documented with every error those can answer."""
    router = api_router()

    @router.put("/api/v1/probe/{id}", summary="probe")
    async def probe(_admin: Admin, id: UUID, body: ProbeBody) -> dict[str, str]:
        return {}

    app = create_app(make_settings("postgresql://unused@127.0.0.1:1/unused"))
    app.include_router(router)
    operation = build_openapi(app)["paths"]["/probe/{id}"]["put"]
    assert set(operation["responses"]) >= {"400", "403", "404", "413", "415", "422", "503"}
    assert "admin role" in operation["responses"]["403"]["description"]


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema] if schema.get("type") == "string" else []
    for option in schema.get("anyOf", []):
        found += _strings(option)
    return found


def test_page_parameters_have_bounds(document: dict[str, Any]) -> None:
    pages = 0
    for method, path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            if parameter["in"] == "query" and schema.get("type") == "integer":
                pages += parameter["name"] in {"limit", "offset"}
                assert schema.get("minimum") == 0, f"{method} {path} {parameter['name']}"
                assert schema.get("maximum", 0) > 0, f"{method} {path} {parameter['name']}"
    assert pages >= 14


def test_request_strings_have_documented_lengths(document: dict[str, Any]) -> None:
    """Every free-text field of a request body has its cap (a choice, an id or a date-time
    has its format instead)."""
    schemas = document["components"]["schemas"]
    problems: list[str] = []
    for method, path, operation in _operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        name = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        for field, schema in schemas.get(name, {}).get("properties", {}).items():
            for text in _strings(schema):
                if not {"maxLength", "enum", "format", "const"} & set(text):
                    problems.append(f"{method.upper()} {path}: {name}.{field}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("model", "field", "least", "most"),
    [
        ("RegisterRequest", "password", 8, 128),
        ("CreateUserRequest", "password", 8, 128),
        ("ChangePasswordRequest", "new_password", 8, 128),
        ("ResetPasswordRequest", "new_password", 8, 128),
        ("RegisterRequest", "username", 3, 50),
        ("CreateApiKeyRequest", "name", 1, 100),
    ],
)
def test_lengths_the_server_checks_are_documented(
    document: dict[str, Any], model: str, field: str, least: int, most: int
) -> None:
    schema = document["components"]["schemas"][model]["properties"][field]
    (text,) = _strings(schema)
    assert (text.get("minLength"), text["maxLength"]) == (least, most)
