"""`X-Total-Count` on the whole lists (keys, sessions, task types, workers, alerts: their
length) and on the incidents (the tasks, users and notes lists are tested in their own
folders), and the OpenAPI document declaring the header on every list that sends it."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.support.users import AppUser, MakeUser

API = "/api/v1"
# Lists that do not count (docs/api-conventions.md, "Totals").
UNCOUNTED = {"/monitoring/events", "/monitoring/metrics", "/tasks/{id}/attempts"}


async def total(
    client: httpx.AsyncClient, who: AppUser, url: str, **params: Any
) -> tuple[int, int]:
    """(rows in the page, the header's total)."""
    response = await client.get(url, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return len(response.json()["data"]), int(response.headers["x-total-count"])


async def test_whole_lists_count_their_rows(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    someone = await make_user()
    for name in ("one", "two"):
        created = await client.post(f"{API}/api-keys", json={"name": name}, headers=someone.headers)
        assert created.status_code == 200, created.text
    assert await total(client, someone, f"{API}/api-keys") == (2, 2)
    assert await total(client, someone, f"{API}/auth/sessions") == (1, 1)
    assert await total(client, admin, f"{API}/users/{someone.id}/sessions") == (1, 1)
    await db.execute(
        """INSERT INTO workers (id, hostname, pid, concurrency, in_flight, task_types, started_at)
           VALUES (gen_random_uuid(), 'h', 1, 4, 0, '{}', NOW())"""
    )
    assert await total(client, admin, f"{API}/tasks/workers") == (1, 1)
    types, counted = await total(client, someone, f"{API}/tasks/types")
    assert types == counted > 0


async def test_the_openapi_document_declares_the_header_on_every_counted_list(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/api-docs/openapi.json")).json()
    lists = {
        path: operation["get"]["responses"]["200"]
        for path, operation in document["paths"].items()
        if "get" in operation
        and operation["get"]["responses"]["200"]
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
        .get("$ref", "")
        .startswith("#/components/schemas/ApiResponse_list_")
    }
    assert "/tasks" in lists and "/users" in lists
    counted = {path for path, ok in lists.items() if "X-Total-Count" in ok.get("headers", {})}
    assert counted == set(lists) - UNCOUNTED


async def test_monitoring_incidents_and_alerts_are_counted(
    client: httpx.AsyncClient, db: asyncpg.Connection, admin: AppUser
) -> None:
    await db.execute(
        """INSERT INTO incidents (title, severity, status)
           SELECT format('incident %s', n), 'low', 'open' FROM generate_series(1, 3) AS n"""
    )
    await db.execute(
        """INSERT INTO alerts (name, query, threshold_value, status)
           VALUES ('cpu', 'metric cpu_usage avg 5m > 90', 90, 'active')"""
    )
    assert await total(client, admin, f"{API}/monitoring/incidents", limit=2) == (2, 3)
    assert await total(client, admin, f"{API}/monitoring/incidents", offset=5) == (0, 3)
    assert await total(client, admin, f"{API}/monitoring/alerts") == (1, 1)
