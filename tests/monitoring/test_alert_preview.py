"""POST /monitoring/alerts/preview: a rule's value now and whether it would fire, computed as the
evaluator does, with nothing stored (moderator+)."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import AppUser

PREVIEW = "/api/v1/monitoring/alerts/preview"


async def preview(client: httpx.AsyncClient, who: AppUser, **body: Any) -> httpx.Response:
    return await client.post(PREVIEW, json=body, headers=who.headers)


async def test_events_rule_counts_the_window_and_says_whether_it_fires(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute(
        "INSERT INTO events (event_type, source, level, message) "
        "SELECT 'log', 'app', 'error', 'boom' FROM generate_series(1, 3)"
    )
    await db.execute(
        "INSERT INTO events (event_type, source, level, message, recorded_at) "
        "VALUES ('log', 'app', 'error', 'old', now() - interval '1 hour')"
    )
    response = await preview(client, moderator, query="events level=error count over 5m > 2")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"value": 3.0, "would_fire": True}
    quiet = await preview(
        client, moderator, query="events level=error count over 5m", threshold_value=3
    )
    assert quiet.json()["data"] == {"value": 3.0, "would_fire": False}
    assert await db.fetchval("SELECT count(*) FROM alerts") == 0


async def test_tasks_rule_counts_through_the_tasks_domain(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute(
        "INSERT INTO tasks (task_type, payload, status) "
        "SELECT 'email', '{}'::jsonb, 'pending' FROM generate_series(1, 2)"
    )
    response = await preview(client, admin, query="tasks pending count > 1")
    assert response.json()["data"] == {"value": 2.0, "would_fire": True}


async def test_metric_window_without_samples_has_no_value(
    client: httpx.AsyncClient, moderator: AppUser
) -> None:
    response = await preview(client, moderator, query="metric cpu_usage avg over 5m > 90")
    assert response.json()["data"] == {"value": None, "would_fire": False}


async def test_a_rule_that_does_not_parse_is_400_naming_the_problem(
    client: httpx.AsyncClient, moderator: AppUser
) -> None:
    assert_error(
        await preview(client, moderator, query="cpu_usage > lots"),
        400,
        "VALIDATION_FAILED",
        "Validation failed for query: expected a number after '>', got 'lots' at position 13",
    )
    assert_error(
        await preview(client, moderator, query="tasks pending count"),
        400,
        "VALIDATION_FAILED",
        "Validation failed for threshold_value: required unless the query ends with a comparison",
    )


async def test_users_may_not_preview(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(
        await preview(client, user, query="tasks pending count > 1"),
        403,
        "FORBIDDEN",
        "Access denied: moderator role or higher required",
    )
