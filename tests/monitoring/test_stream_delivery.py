"""GET /api/v1/stream delivers each change only to those who may see it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from tests.monitoring.alert_fixtures import NOW, add_alert, add_metric, ago, evaluate_alerts
from tests.monitoring.stream_server import LiveServer, live_server
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[LiveServer]:
    async with live_server(database_url) as running:
        yield running


async def notify(db: asyncpg.Connection, channel: str, payload: dict[str, Any]) -> None:
    await db.execute("SELECT pg_notify($1, $2)", channel, orjson.dumps(payload).decode())


def task_change(owner: AppUser, status: str = "running") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "task_type": "email", "status": status, "created_by": owner.id}


async def test_anonymous_and_bad_credentials_get_401(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/stream"), 401, "UNAUTHORIZED", "Unauthorized access")
    bad = {"Authorization": "Bearer " + "0" * 64}
    assert_error(await client.get("/api/v1/stream", headers=bad), 401, "UNAUTHORIZED")


async def test_task_changes_reach_their_creator_and_moderators_only(
    server: LiveServer, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    alice, bob, mod = await make_user(), await make_user(), await make_user("moderator")
    async with (
        server.stream(alice.headers) as alice_stream,
        server.stream(bob.headers) as bob_stream,
        server.stream(mod.headers) as mod_stream,
    ):
        assert alice_stream.response.status_code == 200
        assert alice_stream.response.headers["content-type"].startswith("text/event-stream")
        await server.wait_subscribers(3)
        alices_task, bobs_task = task_change(alice), task_change(bob, "completed")
        await notify(db, "starter_task_status", alices_task)
        await notify(db, "starter_task_status", bobs_task)

        got = await alice_stream.next_event()
        assert (got.event, got.json()) == ("task", alices_task)
        assert got.id is not None and int(got.id) > 0
        # Bob's first event is his own task: Alice's change (sent before it) never reached him.
        got = await bob_stream.next_event()
        assert (got.event, got.json()) == ("task", bobs_task)
        first, second = await mod_stream.next_event(), await mod_stream.next_event()
        assert [first.json(), second.json()] == [alices_task, bobs_task]
        assert int(second.id or 0) > int(first.id or 0)


async def test_monitoring_kinds_reach_moderators_and_incidents_their_people(
    server: LiveServer,
    db: asyncpg.Connection,
    client: httpx.AsyncClient,
    make_user: MakeUser,
) -> None:
    reporter, other, admin = await make_user(), await make_user(), await make_user("admin")
    async with (
        server.stream(reporter.headers) as reporter_stream,
        server.stream(other.headers) as other_stream,
        server.stream(admin.headers) as admin_stream,
    ):
        await server.wait_subscribers(3)
        # An incident reported through the API by a plain user.
        created = await client.post(
            "/api/v1/monitoring/incidents",
            json={"title": "Checkout down", "severity": "high"},
            headers=reporter.headers,
        )
        assert created.status_code == 200, created.text
        incident_id = created.json()["data"]["id"]
        got = await admin_stream.next_event()
        assert got.event == "incident"
        assert got.json()["id"] == incident_id and got.json()["severity"] == "high"

        # An assignment notification naming the assignee reaches them, not bystanders.
        assigned = {
            "kind": "incident",
            "id": incident_id,
            "status": "investigating",
            "created_by": reporter.id,
            "assigned_to": other.id,
        }
        await notify(db, "starter_monitoring", assigned)
        # Events and alerts are for moderators only.
        await notify(db, "starter_monitoring", {"kind": "event", "id": "e1", "level": "error"})
        await add_alert(db, "metric cpu last over 1m", 1, name="cpu")
        await add_metric(db, "cpu", 5, ago(seconds=1))
        await evaluate_alerts(db, now=NOW)
        # A task change of their own marks the end of what each plain user could have seen.
        await notify(db, "starter_task_status", task_change(reporter))
        await notify(db, "starter_task_status", task_change(other))

        seen_by_admin = []
        while len(seen_by_admin) < 6:
            seen_by_admin.append((await admin_stream.next_event()).event)
        # assigned incident, raw event, the alert's event (error level), the alert, 2 tasks
        assert seen_by_admin == ["incident", "event", "event", "alert", "task", "task"]

        reporter_saw = [await reporter_stream.next_event() for _ in range(3)]
        other_saw = [await other_stream.next_event() for _ in range(2)]
        # The creator sees their incident created and assigned; the assignee the assignment.
        assert [e.event for e in reporter_saw] == ["incident", "incident", "task"]
        assert reporter_saw[0].json()["created_by"] == reporter.id
        assert reporter_saw[1].json() == assigned
        assert [e.event for e in other_saw] == ["incident", "task"]
        assert other_saw[0].json() == assigned
        assert other_saw[1].json()["created_by"] == other.id


async def test_session_cookie_authenticates_the_stream(
    server: LiveServer, db: asyncpg.Connection, user: AppUser
) -> None:
    async with server.stream(cookies={"starter_session": user.token}) as stream:
        assert stream.response.status_code == 200
        await server.wait_subscribers(1)
        change = task_change(user, "failed")
        await notify(db, "starter_task_status", change)
        assert (await stream.next_event()).json() == change
