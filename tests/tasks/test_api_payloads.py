"""Payloads are checked when the task is created: a built-in type against its handler's model
(published as `payload_schema` on GET /tasks/types), a type registered through the API against
the JSON Schema it was registered with. A bad payload is a 400 naming the field and no row."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from starter.tasks.registry import BUILTIN_HANDLERS
from tests.support.errors import assert_error
from tests.support.users import AppUser
from tests.tasks.conftest import API, data, post_task

ORDER_SCHEMA = {
    "type": "object",
    "required": ["order_id"],
    "properties": {"order_id": {"type": "integer", "minimum": 1}, "note": {"type": "string"}},
}


async def _task_count(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM tasks"))


async def test_builtin_types_publish_their_payload_model(client: httpx.AsyncClient) -> None:
    listed = {t["task_type"]: t for t in data(await client.get(f"{API}/tasks/types"))}
    for spec in BUILTIN_HANDLERS:
        assert spec.payload_model is not None, spec.task_type
        assert listed[spec.task_type]["payload_schema"] == spec.payload_model.model_json_schema()
    email = listed["email"]["payload_schema"]
    assert set(email["required"]) == {"to", "subject", "body"}


@pytest.mark.parametrize(
    ("task_type", "payload", "field", "detail"),
    [
        ("email", {}, "payload.to", "Missing 'to' field in payload"),
        ("email", "not an object", "payload.to", "Missing 'to' field in payload"),
        (
            "email",
            {"to": "nobody", "subject": "s", "body": "b"},
            "payload.to",
            "Invalid recipient address: 'nobody'",
        ),
        ("email", {"to": "a@example.com", "body": "b"}, "payload.subject", "Missing 'subject'"),
        ("delay_task", {"delay_seconds": 1e308}, "payload.delay_seconds", "must be at most 300"),
        ("delay_task", {"delay_seconds": -1}, "payload.delay_seconds", "non-negative number"),
        ("delay_task", {"deadline": "soon"}, "payload.deadline", "must be an RFC 3339 timestamp"),
        (
            "delay_task",
            {"deadline": "9999-12-31T23:59:59-14:00"},
            "payload.deadline",
            "'deadline' is out of range",
        ),
        (
            "report_generation",
            {"report_type": "tasks", "start_date": "2024-01-01", "end_date": "9999-12-31"},
            "payload.end_date",
            "'end_date' is out of range",
        ),
        ("data_processing", {"operation": "sum"}, "payload.data", "Missing 'data' field"),
        ("data_processing", {"data": 5, "operation": "sum"}, "payload", "not an array for sum"),
        ("data_processing", {"data": [], "operation": "x"}, "payload.operation", "Unknown"),
        ("file_cleanup", {"file_path": 3}, "payload.file_path", "Missing 'file_path'"),
        ("file_cleanup", {"file_path": "x", "max_age_hours": 1e300}, "payload.max_age_hours", ""),
        ("file_cleanup", {"file_path": "x", "pattern": "a/b"}, "payload.pattern", "without '/'"),
        ("webhook", {"url": "ftp://example.com"}, "payload.url", "Unsupported URL scheme"),
        ("webhook", {"url": "https://e.com", "method": "TRACE"}, "payload.method", "TRACE"),
        ("webhook", {"url": "https://e.com", "headers": {"Host": "x"}}, "payload.headers", "Host"),
        (
            "report_generation",
            {"report_type": "sales", "start_date": "2024-01-01", "end_date": "2024-01-02"},
            "payload.report_type",
            "Unknown report type: 'sales'",
        ),
        (
            "report_generation",
            {"report_type": "tasks", "start_date": "2024-02-01", "end_date": "2024-01-01"},
            "payload",
            "'start_date' must not be after 'end_date'",
        ),
    ],
)
async def test_invalid_builtin_payload_is_400_naming_the_field(
    client: httpx.AsyncClient,
    user: AppUser,
    db: asyncpg.Connection,
    task_type: str,
    payload: Any,
    field: str,
    detail: str,
) -> None:
    response = await post_task(client, user, task_type=task_type, payload=payload)
    assert_error(response, 400, "VALIDATION_FAILED")
    message = response.json()["error"]["message"]
    assert message.startswith(f"Validation failed for {field}: "), message
    assert detail in message
    assert await _task_count(db) == 0


async def _register(
    client: httpx.AsyncClient, admin: AppUser, schema: Any, name: str = "orders"
) -> httpx.Response:
    body = {"task_type": name, "description": "Order jobs", "payload_schema": schema}
    return await client.post(f"{API}/tasks/types", json=body, headers=admin.headers)


async def test_registered_schema_is_checked_when_a_task_is_created(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection
) -> None:
    registered = data(await _register(client, admin, ORDER_SCHEMA))
    assert registered["payload_schema"] == ORDER_SCHEMA
    listed = {t["task_type"]: t for t in data(await client.get(f"{API}/tasks/types"))}
    assert listed["orders"]["payload_schema"] == ORDER_SCHEMA

    ok = await post_task(client, admin, task_type="orders", payload={"order_id": 7})
    assert data(ok)["payload"] == {"order_id": 7}
    missing = await post_task(client, admin, task_type="orders", payload={"note": "x"})
    assert_error(
        missing,
        400,
        "VALIDATION_FAILED",
        "Validation failed for payload: 'order_id' is a required property",
    )
    wrong = await post_task(client, admin, task_type="orders", payload={"order_id": 0})
    assert_error(
        wrong,
        400,
        "VALIDATION_FAILED",
        "Validation failed for payload.order_id: 0 is less than the minimum of 1",
    )
    assert await _task_count(db) == 1

    # Re-registering without a schema keeps it; `{}` accepts anything.
    data(await _register(client, admin, None))
    still = await post_task(client, admin, task_type="orders", payload={})
    assert_error(still, 400, "VALIDATION_FAILED")
    data(await _register(client, admin, {}))
    assert data(await post_task(client, admin, task_type="orders", payload=[1, 2]))


@pytest.mark.parametrize(
    ("name", "schema", "detail"),
    [
        ("orders", {"type": "no-such-type"}, "is not valid under any of the given schemas"),
        ("orders", {"minimum": "one"}, "'one' is not of type 'number'"),
        ("email", {"type": "object"}, "Built-in type 'email' has its own payload schema"),
        ("orders", {"enum": ["x" * 70_000]}, "Payload schema cannot exceed 64KB"),
    ],
)
async def test_invalid_schemas_are_refused(
    client: httpx.AsyncClient,
    admin: AppUser,
    db: asyncpg.Connection,
    name: str,
    schema: dict[str, Any],
    detail: str,
) -> None:
    response = await _register(client, admin, schema, name)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for payload_schema: ")
    assert detail in response.json()["error"]["message"]
    stored = await db.fetchval("SELECT payload_schema FROM task_types WHERE task_type = $1", name)
    assert stored is None
