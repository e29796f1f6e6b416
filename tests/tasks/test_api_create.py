"""POST /tasks: the response, defaults, and every validation rule in its documented order (docs/tasks.md)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser
from tests.tasks.conftest import API, TASK_FIELDS, data, events_for, post_task, task_row

NOT_REGISTERED = (
    "Validation failed for task_type: Task type '{}' is not registered. "
    "Workers must register task types before tasks can be created."
)
DEFAULT_STRATEGY = {
    "exponential": {
        "base_delay": {"secs": 1, "nanos": 0},
        "multiplier": 2.0,
        "max_delay": {"secs": 300, "nanos": 0},
        "max_attempts": 5,
    }
}


def request_error(detail: str) -> str:
    return f"Validation failed for request: {detail}"


async def test_create_returns_pending_task_with_defaults(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    before = datetime.now(UTC)
    task = data(await post_task(client, user, payload={"delay_seconds": 1}, metadata={"tag": "x"}))
    assert set(task) == TASK_FIELDS
    assert task["task_type"] == "delay_task"
    assert task["status"] == "pending"
    assert task["priority"] == "normal"
    assert task["current_attempt"] == 0
    assert task["max_attempts"] == 5
    assert task["created_by"] == user.id
    assert task["metadata"] == {"api_created": True, "tag": "x"}
    assert task["payload"] == {"delay_seconds": 1}
    assert task["result"] is None
    assert task["retry_strategy"] == DEFAULT_STRATEGY
    assert task["last_error"] is None and task["started_at"] is None
    scheduled = datetime.fromisoformat(task["scheduled_at"])
    assert before - timedelta(seconds=1) <= scheduled <= datetime.now(UTC)
    assert task["created_at"].endswith("Z") and len(task["created_at"]) == 27
    row = await task_row(db, task["id"])
    assert row is not None and row["status"] == "pending"
    assert await events_for(db, task["id"]) == [
        {"source": "tasks", "task_id": task["id"], "task_type": "delay_task", "status": "pending"}
    ]


async def test_user_metadata_wins_over_api_created(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    task = data(await post_task(client, user, metadata={"api_created": False, "n": 1}))
    assert task["metadata"] == {"api_created": False, "n": 1}


async def test_null_payload_is_stored_as_json_null(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    task = data(await post_task(client, user, payload=None))
    assert task["payload"] is None
    assert (
        await db.fetchval(
            "SELECT jsonb_typeof(payload) FROM tasks WHERE id = $1", uuid.UUID(task["id"])
        )
        == "null"
    )


async def test_created_by_in_body_is_ignored(
    client: httpx.AsyncClient, user: AppUser, admin: AppUser
) -> None:
    task = data(await post_task(client, user, created_by=admin.id))
    assert task["created_by"] == user.id


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("low", "low"),
        ("high", "high"),
        ("critical", "critical"),
        ("normal", "normal"),
        ("urgent", "normal"),
        ("'; DROP TABLE tasks; --", "normal"),
        ("HIGH", "normal"),
        (None, "normal"),
    ],
)
async def test_priority_mapping(
    client: httpx.AsyncClient, user: AppUser, given: str | None, stored: str
) -> None:
    task = data(await post_task(client, user, priority=given))
    assert task["priority"] == stored


async def test_priority_as_number_is_422(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await post_task(client, user, priority=3), 422, "VALIDATION_FAILED")


async def test_missing_payload_is_422(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.post(
        f"{API}/tasks", json={"task_type": "delay_task"}, headers=user.headers
    )
    assert_error(response, 422, "VALIDATION_FAILED")


async def test_naive_scheduled_at_is_422(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await post_task(client, user, scheduled_at="2030-01-01T00:00:00")
    assert_error(response, 422, "VALIDATION_FAILED")


@pytest.mark.parametrize(
    "task_type", ["unknown_type", "", "x" * 200, "bad type'; DROP TABLE tasks;--"]
)
async def test_unregistered_type_is_checked_first(
    client: httpx.AsyncClient, user: AppUser, task_type: str
) -> None:
    response = await post_task(client, user, task_type=task_type)
    assert_error(response, 400, "VALIDATION_FAILED", NOT_REGISTERED.format(task_type))


async def test_inactive_type_counts_as_unregistered(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE task_types SET is_active = FALSE WHERE task_type = 'delay_task'")
    response = await post_task(client, user)
    assert_error(response, 400, "VALIDATION_FAILED", NOT_REGISTERED.format("delay_task"))


@pytest.mark.parametrize(
    ("task_type", "detail"),
    [
        ("x" * 129, "Task type cannot exceed 128 characters"),
        ("é" * 65, "Task type cannot exceed 128 characters"),
        (
            "bad type",
            "Task type can only contain alphanumeric characters, underscores, and hyphens",
        ),
        ("a.b", "Task type can only contain alphanumeric characters, underscores, and hyphens"),
    ],
)
async def test_registered_but_malformed_type_names(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection, task_type: str, detail: str
) -> None:
    await db.execute("INSERT INTO task_types (task_type) VALUES ($1)", task_type)
    response = await post_task(client, user, task_type=task_type)
    assert_error(response, 400, "VALIDATION_FAILED", request_error(detail))


async def test_empty_registered_type_name(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("INSERT INTO task_types (task_type) VALUES ('')")
    response = await post_task(client, user, task_type="")
    assert_error(response, 400, "VALIDATION_FAILED", request_error("Task type cannot be empty"))


async def test_unicode_alphanumeric_type_is_accepted(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("INSERT INTO task_types (task_type) VALUES ('tâche_1-b')")
    assert data(await post_task(client, user, task_type="tâche_1-b"))["task_type"] == "tâche_1-b"


async def test_payload_over_1mb(client: httpx.AsyncClient, user: AppUser) -> None:
    # {"d":"…"} is 8 bytes of framing; this is exactly one byte over 1 MiB.
    over = await post_task(client, user, payload={"d": "x" * (1_048_576 - 7)})
    assert_error(over, 400, "VALIDATION_FAILED", request_error("Task payload cannot exceed 1MB"))
    at_limit = await post_task(client, user, payload={"d": "x" * (1_048_576 - 8)})
    assert at_limit.status_code == 200, at_limit.text


async def test_body_over_2mib_is_413(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await post_task(client, user, payload={"d": "x" * (2 * 1024 * 1024)})
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    ("metadata", "detail"),
    [
        ({"": 1}, "Metadata keys must be 1-128 characters long"),
        ({"k" * 129: 1}, "Metadata keys must be 1-128 characters long"),
        (
            {"bad key": 1},
            "Metadata keys can only contain alphanumeric characters, underscores, and hyphens",
        ),
        (
            {"a$b": 1},
            "Metadata keys can only contain alphanumeric characters, underscores, and hyphens",
        ),
        ({"big": "v" * 4095}, "Metadata values cannot exceed 4KB"),
        ({f"key{i}": "v" * 500 for i in range(200)}, "Total metadata size cannot exceed 64KB"),
    ],
)
async def test_metadata_rules(
    client: httpx.AsyncClient, user: AppUser, metadata: dict[str, object], detail: str
) -> None:
    response = await post_task(client, user, metadata=metadata)
    assert_error(response, 400, "VALIDATION_FAILED", request_error(detail))


async def test_metadata_value_of_exactly_4kb_is_accepted(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    # A JSON string of 4094 characters serializes to 4096 bytes with its quotes.
    assert (await post_task(client, user, metadata={"big": "v" * 4094})).status_code == 200


@pytest.mark.parametrize(
    ("delta", "detail"),
    [
        (timedelta(days=400), "Tasks cannot be scheduled more than 365 days in the future"),
        (timedelta(hours=-2), "Tasks cannot be scheduled more than 1 hour(s) in the past"),
    ],
)
async def test_scheduled_at_window(
    client: httpx.AsyncClient, user: AppUser, delta: timedelta, detail: str
) -> None:
    when = (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")
    response = await post_task(client, user, scheduled_at=when)
    assert_error(response, 400, "VALIDATION_FAILED", request_error(detail))


async def test_scheduled_at_inside_window_is_kept(client: httpx.AsyncClient, user: AppUser) -> None:
    when = datetime.now(UTC) + timedelta(days=2)
    task = data(await post_task(client, user, scheduled_at=when.isoformat()))
    assert datetime.fromisoformat(task["scheduled_at"]) == when.replace(
        microsecond=when.microsecond
    )
    past = datetime.now(UTC) - timedelta(minutes=30)
    assert (await post_task(client, user, scheduled_at=past.isoformat())).status_code == 200


async def test_rules_fire_in_order(client: httpx.AsyncClient, user: AppUser) -> None:
    """Payload is checked before metadata, metadata before the schedule."""
    response = await post_task(
        client,
        user,
        payload={"d": "x" * 1_048_600},
        metadata={"bad key": 1},
        scheduled_at="2001-01-01T00:00:00Z",
    )
    assert_error(
        response, 400, "VALIDATION_FAILED", request_error("Task payload cannot exceed 1MB")
    )
    response = await post_task(
        client, user, metadata={"bad key": 1}, scheduled_at="2001-01-01T00:00:00Z"
    )
    assert "Metadata keys can only contain" in response.json()["error"]["message"]


async def test_custom_retry_strategy_and_max_attempts(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    fixed = {"fixed": {"interval": {"secs": 2, "nanos": 0}, "max_attempts": 3}}
    task = data(await post_task(client, user, retry_strategy=fixed))
    assert task["retry_strategy"] == fixed
    assert task["max_attempts"] == 3
    task = data(await post_task(client, user, retry_strategy="none"))
    assert task["retry_strategy"] == "none"
    task = data(await post_task(client, user, retry_strategy=fixed, max_attempts=7))
    assert task["max_attempts"] == 7
    assert task["retry_strategy"]["fixed"]["max_attempts"] == 7
    task = data(await post_task(client, user, max_attempts=2))
    assert task["max_attempts"] == 2
    assert task["retry_strategy"]["exponential"]["max_attempts"] == 2


@pytest.mark.parametrize("strategy", ["none", {"none": {}}, {"none": None}])
async def test_no_retry_means_exactly_one_attempt(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection, strategy: object
) -> None:
    task = data(await post_task(client, user, retry_strategy=strategy))
    assert task["max_attempts"] == 1  # was 0: "attempt 1 of 0"
    assert (
        await db.fetchval("SELECT max_attempts FROM tasks WHERE id = $1", uuid.UUID(task["id"]))
        == 1
    )
    assert data(await post_task(client, user, retry_strategy=strategy, max_attempts=1))


async def test_no_retry_with_more_attempts_is_400(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await post_task(client, user, retry_strategy="none", max_attempts=3)
    assert_error(
        response,
        400,
        "VALIDATION_FAILED",
        "Validation failed for retry_strategy: 'none' means exactly one attempt: "
        "max_attempts must be 1",
    )


@pytest.mark.parametrize(
    "strategy",
    [
        {"fixed": {"interval": {"secs": 1, "nanos": 0}, "max_attempts": 0}},
        {"exponential": {"base_delay": 1}},
        {"sometimes": {}},
        {"fixed": {"interval": {"secs": 1, "nanos": 0}, "max_attempts": -1}},
        "always",
        [1, 2],
    ],
)
async def test_invalid_retry_strategy_is_400(
    client: httpx.AsyncClient, user: AppUser, strategy: object
) -> None:
    response = await post_task(client, user, retry_strategy=strategy)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for retry_strategy: ")


@pytest.mark.parametrize("attempts", [0, 101, -3])
async def test_max_attempts_range(client: httpx.AsyncClient, user: AppUser, attempts: int) -> None:
    response = await post_task(client, user, max_attempts=attempts)
    assert_error(
        response,
        400,
        "VALIDATION_FAILED",
        "Validation failed for max_attempts: Must be between 1 and 100",
    )


async def test_max_attempts_as_string_is_422(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await post_task(client, user, max_attempts="5"), 422, "VALIDATION_FAILED")


async def test_create_without_auth_is_401(client: httpx.AsyncClient) -> None:
    assert_error(await post_task(client, None), 401, "UNAUTHORIZED", "Unauthorized access")
