"""POST/GET /monitoring/events: creation, source ownership, size limits, filters (docs/monitoring.md)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from starter.core.envelope import ApiResponse
from starter.monitoring.events.schemas import Event
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

EVENTS = "/api/v1/monitoring/events"


def event(source: str = "app-test", **fields: Any) -> dict[str, Any]:
    return {"event_type": "log", "source": source, "message": "hello", **fields}


async def create(client: httpx.AsyncClient, who: AppUser, **fields: Any) -> httpx.Response:
    return await client.post(EVENTS, json=event(**fields), headers=who.headers)


async def test_create_event_echoes_fields(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await create(
        client,
        user,
        source="app-web",
        level="info",
        tags={"env": "prod", "n": 1},
        payload={"nested": {"a": [1, 2]}},
        recorded_at="2024-05-01T10:00:00Z",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and body["message"] is None
    data = body["data"]
    assert data["event_type"] == "log" and data["source"] == "app-web"
    assert data["message"] == "hello" and data["level"] == "info"
    assert data["tags"] == {"env": "prod", "n": 1}
    assert data["payload"] == {"nested": {"a": [1, 2]}}
    assert data["recorded_at"] == "2024-05-01T10:00:00.000000Z"
    assert data["created_at"].endswith("Z")
    uuid.UUID(data["id"])


async def test_create_event_defaults(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.post(
        EVENTS, json={"event_type": "trace", "source": ""}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["tags"] == {} and data["payload"] == {}
    assert data["message"] is None and data["level"] is None and data["source"] == ""


async def test_get_event_by_id_and_not_found(client: httpx.AsyncClient, user: AppUser) -> None:
    created = (await create(client, user)).json()["data"]
    response = await client.get(f"{EVENTS}/{created['id']}", headers=user.headers)
    assert response.status_code == 200
    assert response.json()["data"] == created
    missing = await client.get(f"{EVENTS}/{uuid.uuid4()}", headers=user.headers)
    assert_error(missing, 404, "NOT_FOUND", "Event not found")


async def test_get_event_bad_id_is_400(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{EVENTS}/not-a-uuid", headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")


# --- source ownership (role `user` only) ----------------------------------------------------


async def test_user_denied_reserved_sources(client: httpx.AsyncClient, user: AppUser) -> None:
    for source in ("system-core", "health-probe", "monitoring-x"):
        response = await create(client, user, source=source)
        assert_error(
            response,
            403,
            "FORBIDDEN",
            "Users can only create events for their own sources. "
            f"Source '{source}' is not authorized for user '{user.username}'",
        )


async def test_user_allowed_generic_sources(client: httpx.AsyncClient, user: AppUser) -> None:
    for source in ("app-x", "web-x", "api-x", "test-x", "db-x", "nodash", "frontend_service"):
        response = await create(client, user, source=source)
        assert response.status_code == 200, (source, response.text)


async def test_user_allowed_own_sources(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    alice = await make_user("user", username=f"alice{uuid.uuid4().hex[:6]}")
    for source in (f"{alice.username}-svc", f"user-{alice.id}-svc", f"{alice.username}-a-b"):
        response = await create(client, alice, source=source)
        assert response.status_code == 200, (source, response.text)


@pytest.mark.parametrize("source", ["other-user-application", "unknown_user-service"])
async def test_user_denied_foreign_sources(
    client: httpx.AsyncClient, user: AppUser, source: str
) -> None:
    response = await create(client, user, source=source)
    assert_error(response, 403, "FORBIDDEN")
    assert "not authorized" in response.json()["error"]["message"]
    assert user.username in response.json()["error"]["message"]


async def test_user_denied_other_users_prefix(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    alice, bob = await make_user(), await make_user()
    assert (await create(client, bob, source=f"{alice.username}-svc")).status_code == 403
    assert (await create(client, bob, source=f"user-{alice.id}-svc")).status_code == 403


async def test_moderator_and_admin_may_use_any_source(
    client: httpx.AsyncClient, moderator: AppUser, admin: AppUser
) -> None:
    assert (await create(client, moderator, source="system-core")).status_code == 200
    assert (await create(client, admin, source="monitoring-x")).status_code == 200


async def test_ownership_checked_before_validation(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    response = await create(client, user, source="system-x", event_type="bogus")
    assert response.status_code == 403


# --- size limits, in order --------------------------------------------------------------------

LIMIT_CASES = [
    ({"event_type": "x" * 51}, "event_type", "Event type too long (max 50 characters)"),
    ({"source": "a" * 201}, "source", "Source too long (max 200 characters)"),
    ({"message": "m" * 10_001}, "message", "Message too long (max 10000 characters)"),
    ({"level": "l" * 21}, "level", "Level too long (max 20 characters)"),
    ({"tags": {f"k{i}": i for i in range(101)}}, "tags", "Too many tags (max 100)"),
    (
        {"payload": {f"k{i}": i for i in range(101)}},
        "payload",
        "Too many payload fields (max 100)",
    ),
    ({"tags": {"big": "x" * 65_536}}, "tags", "Tags JSON too large (max 64KB)"),
    ({"payload": {"big": "x" * 1_048_576}}, "payload", "Payload JSON too large (max 1MB)"),
    ({"event_type": "bogus"}, "event_type", "Invalid event type"),
]


async def test_event_size_limits(client: httpx.AsyncClient, moderator: AppUser) -> None:
    for fields, field, detail in LIMIT_CASES:
        response = await create(client, moderator, **fields)
        assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for {field}: {detail}")


async def test_limits_are_utf8_bytes_and_inclusive(
    client: httpx.AsyncClient, moderator: AppUser
) -> None:
    assert (
        await create(client, moderator, source="a" * 200, message="m" * 10_000)
    ).status_code == 200
    # 67 × 3-byte characters = 201 bytes.
    response = await create(client, moderator, source="€" * 67)
    assert_error(
        response,
        400,
        "VALIDATION_FAILED",
        "Validation failed for source: Source too long (max 200 characters)",
    )


async def test_first_failing_rule_wins(client: httpx.AsyncClient, moderator: AppUser) -> None:
    response = await create(client, moderator, event_type="bogus", level="l" * 21)
    assert response.json()["error"]["message"].startswith("Validation failed for level")


SHAPE_ERRORS: list[dict[str, Any]] = [
    {"source": "app-x"},
    {"event_type": "log"},
    {"event_type": 5, "source": "app-x"},
    {"event_type": "log", "source": "app-x", "tags": []},
    {"event_type": "log", "source": "app-x", "recorded_at": "2024-05-01T10:00:00"},
]


async def test_event_shape_errors_are_422(client: httpx.AsyncClient, user: AppUser) -> None:
    for body in SHAPE_ERRORS:
        response = await client.post(EVENTS, json=body, headers=user.headers)
        assert_error(response, 422, "VALIDATION_FAILED")


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"level": "warn", "recorded_at": "2024-05-01T10:00:00Z", "message": None},
        {"recorded_at": "2024-05-01T10:00:00.123456+02:00", "tags": {"ü": "ß", "n": 1.5}},
        {"payload": {"nested": {"a": [1, None, True, "x"]}, "big": 2**53}},
    ],
)
async def test_create_event_bytes_are_pydantics(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection, fields: dict[str, Any]
) -> None:
    """The answer is rendered straight from the row: byte for byte what the model would dump."""
    response = await create(client, user, **fields)
    assert response.status_code == 200, response.text
    row = await db.fetchrow(
        "SELECT * FROM events WHERE id = $1", uuid.UUID(response.json()["data"]["id"])
    )
    assert row is not None
    expected = ApiResponse[Event](data=Event.model_validate(dict(row))).model_dump_json()
    assert response.content == expected.encode()
