"""POST /monitoring/events/batch and /monitoring/metrics/batch: per-element checks as the single
endpoints make them, the valid elements stored in one statement, the others reported by index
(docs/monitoring.md, "Batch ingest")."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import orjson

from tests.support.errors import assert_error
from tests.support.users import AppUser

EVENTS = "/api/v1/monitoring/events"
BATCH = f"{EVENTS}/batch"
METRICS_BATCH = "/api/v1/monitoring/metrics/batch"


def event(n: int, **fields: Any) -> dict[str, Any]:
    return {"event_type": "log", "source": "app-batch", "message": f"e{n}", **fields}


def metric(n: int, **fields: Any) -> dict[str, Any]:
    return {"name": "cpu_usage", "metric_type": "gauge", "value": float(n), **fields}


async def post(client: httpx.AsyncClient, who: AppUser, url: str, body: Any) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    envelope = response.json()
    assert envelope["success"] is True and envelope["message"] is None
    data: dict[str, Any] = envelope["data"]
    return data


async def test_a_batch_stores_every_event_and_answers_ids_in_order(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    events = [event(n, level="info", tags={"n": n}, payload={"k": [n]}) for n in range(1000)]
    events[7]["recorded_at"] = "2024-05-01T10:00:00Z"
    data = await post(client, user, BATCH, {"events": events})
    assert data["accepted"] == 1000 and data["rejected"] == []
    assert len(data["ids"]) == 1000 and len(set(data["ids"])) == 1000
    # Each id is the row of the element at its index, read back through the single GET.
    for n in (0, 7, 999):
        stored = (await client.get(f"{EVENTS}/{data['ids'][n]}", headers=user.headers)).json()
        assert stored["data"]["message"] == f"e{n}"
        assert stored["data"]["tags"] == {"n": n} and stored["data"]["payload"] == {"k": [n]}
    row = await db.fetchrow("SELECT recorded_at, created_at FROM events WHERE message = 'e7'")
    assert row is not None and row["recorded_at"].isoformat() == "2024-05-01T10:00:00+00:00"
    assert await db.fetchval("SELECT count(*) FROM events") == 1000


async def test_invalid_elements_are_reported_by_index_and_only_the_valid_stored(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    events: list[Any] = [
        event(0),
        {"source": "app-batch"},  # no event_type: the single endpoint's 422
        event(2, source="system-core"),  # not the user's source: 403
        event(3, message="x" * 10_001),  # oversized message: 400
        event(4, event_type="bogus"),  # not an event type: 400
        "not an object",
        event(6, tags={f"t{i}": i for i in range(101)}),
        event(7),
    ]
    data = await post(client, user, BATCH, {"events": events})
    assert data["accepted"] == 2
    assert data["rejected"] == [
        {
            "index": 1,
            "status": 422,
            "code": "VALIDATION_FAILED",
            "message": "Validation failed for event_type: field required",
        },
        {
            "index": 2,
            "status": 403,
            "code": "FORBIDDEN",
            "message": "Users can only create events for their own sources. "
            f"Source 'system-core' is not authorized for user '{user.username}'",
        },
        {
            "index": 3,
            "status": 400,
            "code": "VALIDATION_FAILED",
            "message": "Validation failed for message: Message too long (max 10000 characters)",
        },
        {
            "index": 4,
            "status": 400,
            "code": "VALIDATION_FAILED",
            "message": "Validation failed for event_type: Invalid event type",
        },
        {
            "index": 5,
            "status": 422,
            "code": "VALIDATION_FAILED",
            "message": "Validation failed for body: "
            "input should be a valid dictionary or object to extract fields from",
        },
        {
            "index": 6,
            "status": 400,
            "code": "VALIDATION_FAILED",
            "message": "Validation failed for tags: Too many tags (max 100)",
        },
    ]
    ids = data["ids"]
    assert [i for i, value in enumerate(ids) if value is not None] == [0, 7]
    stored = await db.fetch("SELECT id, message FROM events ORDER BY message")
    assert [(str(r["id"]), r["message"]) for r in stored] == [(ids[0], "e0"), (ids[7], "e7")]


async def test_each_element_gets_the_single_endpoints_answer(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    """The rejection carries exactly what POST /monitoring/events answers for that body."""
    bodies: list[Any] = [
        event(0, source="monitoring-x"),
        event(1, level="x" * 21),
        event(2, payload={"blob": "y" * 1_048_576}),
        {"event_type": "log", "source": 5},
        event(4, recorded_at="2024-05-01T10:00:00"),
        [event(5)],
    ]
    data = await post(client, user, BATCH, {"events": bodies})
    assert data["accepted"] == 0 and data["ids"] == [None] * len(bodies)
    for rejection, body in zip(data["rejected"], bodies, strict=True):
        single = await client.post(EVENTS, json=body, headers=user.headers)
        error = single.json()["error"]
        assert (rejection["status"], rejection["code"], rejection["message"]) == (
            single.status_code,
            error["code"],
            error["message"],
        )


async def test_over_the_cap_is_refused_whole(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    response = await client.post(
        BATCH, json={"events": [event(n) for n in range(1001)]}, headers=user.headers
    )
    assert_error(response, 400, "BATCH_TOO_LARGE", "A batch holds at most 1000 events (1001 given)")
    metrics = await client.post(
        METRICS_BATCH, json={"metrics": [metric(n) for n in range(1001)]}, headers=user.headers
    )
    assert_error(metrics, 400, "BATCH_TOO_LARGE", "A batch holds at most 1000 metrics (1001 given)")
    assert await db.fetchval("SELECT count(*) FROM events") == 0


async def test_a_nul_in_one_element_refuses_the_whole_body(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    """A NUL is refused where the body is read, before any element is looked at."""
    events = [event(0), event(1, message="bad\x00message"), event(2)]
    response = await client.post(BATCH, json={"events": events}, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert "NUL" in response.json()["error"]["message"]
    assert await db.fetchval("SELECT count(*) FROM events") == 0


async def test_the_batch_shape_itself(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await client.post(BATCH, json={}, headers=user.headers), 422, "VALIDATION_FAILED")
    not_a_list = await client.post(BATCH, json={"events": {"a": 1}}, headers=user.headers)
    assert_error(not_a_list, 422, "VALIDATION_FAILED")
    empty = await post(client, user, BATCH, {"events": []})
    assert empty == {"accepted": 0, "rejected": [], "ids": []}


async def test_anonymous_is_401_before_the_body_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post(BATCH, content=b"{not json")
    assert_error(response, 401, "UNAUTHORIZED")
    too_many = {"events": [event(n) for n in range(1001)]}
    assert_error(await client.post(BATCH, json=too_many), 401, "UNAUTHORIZED")
    assert_error(await client.post(METRICS_BATCH, json={"metrics": []}), 401, "UNAUTHORIZED")


async def test_moderators_may_write_any_source(
    client: httpx.AsyncClient, user: AppUser, moderator: AppUser
) -> None:
    body = {"events": [event(0, source="system-core"), event(1, source="monitoring-x")]}
    assert (await post(client, moderator, BATCH, body))["accepted"] == 2
    as_user = await post(client, user, BATCH, body)
    assert [r["status"] for r in as_user["rejected"]] == [403, 403]


async def test_one_notification_per_batch_for_its_problems(
    client: httpx.AsyncClient, user: AppUser, database_url: str
) -> None:
    listener = await asyncpg.connect(database_url)
    heard: list[dict[str, Any]] = []
    await listener.add_listener(
        "starter_monitoring", lambda *args: heard.append(orjson.loads(args[3]))
    )
    try:
        quiet = [event(n, level="info") for n in range(3)]
        await post(client, user, BATCH, {"events": quiet})
        loud = [event(0, level="info"), event(1, level="ERROR"), event(2, level="warn")]
        data = await post(client, user, BATCH, {"events": loud})
        for _ in range(50):
            if heard:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
    finally:
        await listener.close()
    assert heard == [
        {
            "kind": "event",
            "id": data["ids"][1],
            "event_type": "log",
            "source": "app-batch",
            "level": "ERROR",
            "message": "e1",
            "notable_in_batch": 2,
        }
    ]


async def test_metrics_batch_stores_valid_and_reports_the_rest(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    metrics: list[Any] = [
        metric(0, labels={"host": "a"}, recorded_at="2024-05-01T10:00:00Z"),
        metric(1, name="system_cpu"),  # a denied prefix for a user: 403
        metric(2, labels={f"l{i}": "v" for i in range(51)}),  # too many labels: 400
        metric(3, metric_type="median"),  # not a metric type: 422
        metric(4, value="5"),  # a string for a number: 422
        metric(5, name=f"{user.username}_latency"),
    ]
    data = await post(client, user, METRICS_BATCH, {"metrics": metrics})
    assert data["accepted"] == 2
    assert [(r["index"], r["status"]) for r in data["rejected"]] == [
        (1, 403),
        (2, 400),
        (3, 422),
        (4, 422),
    ]
    assert (
        data["rejected"][1]["message"] == "Validation failed for labels: Too many labels (max 50)"
    )
    rows = await db.fetch("SELECT id, name, value, labels, recorded_at FROM metrics ORDER BY value")
    assert [(str(r["id"]), r["name"], r["value"]) for r in rows] == [
        (data["ids"][0], "cpu_usage", 0.0),
        (data["ids"][5], f"{user.username}_latency", 5.0),
    ]
    assert rows[0]["labels"] == {"host": "a"}
    assert rows[0]["recorded_at"].isoformat() == "2024-05-01T10:00:00+00:00"
    uuid.UUID(data["ids"][5])


async def test_metrics_batch_answers_like_the_single_endpoint(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    bodies: list[dict[str, Any]] = [
        metric(0, name="n" * 101),
        metric(1, labels={"k": "v" * 70_000}),
        {"name": "cpu_usage", "metric_type": "gauge"},
    ]
    data = await post(client, user, METRICS_BATCH, {"metrics": bodies})
    for rejection, body in zip(data["rejected"], bodies, strict=True):
        single = await client.post("/api/v1/monitoring/metrics", json=body, headers=user.headers)
        error = single.json()["error"]
        assert (rejection["status"], rejection["code"], rejection["message"]) == (
            single.status_code,
            error["code"],
            error["message"],
        )
