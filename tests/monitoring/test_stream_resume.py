"""A reconnecting stream client catches up from its Last-Event-ID, within a bounded window."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from tests.monitoring.stream_server import LiveServer, SseReader, live_server
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[LiveServer]:
    async with live_server(database_url) as running:
        yield running


async def notify_task(db: asyncpg.Connection, owner: AppUser) -> dict[str, Any]:
    change = {
        "id": str(uuid.uuid4()),
        "task_type": "email",
        "status": "running",
        "created_by": owner.id,
    }
    await db.execute("SELECT pg_notify('starter_task_status', $1)", orjson.dumps(change).decode())
    return change


async def seen_by(watcher: SseReader, change: dict[str, Any]) -> None:
    """Wait until the hub has published `change` (a moderator's stream sees every task)."""
    while (await watcher.next_event()).json() != change:
        pass


async def test_a_reconnecting_client_gets_what_it_missed_and_only_its_own(
    server: LiveServer, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    alice, bob, mod = await make_user(), await make_user(), await make_user("moderator")
    async with server.stream(mod.headers) as watcher:
        async with server.stream(alice.headers) as first:
            await server.wait_subscribers(2)
            seen = await notify_task(db, alice)
            last = await first.next_event()
            assert last.json() == seen
        missed_one, _bobs, missed_two = (
            await notify_task(db, alice),
            await notify_task(db, bob),
            await notify_task(db, alice),
        )
        await seen_by(watcher, missed_two)

        resume = {**alice.headers, "Last-Event-ID": str(last.id)}
        async with server.stream(resume) as again:
            replayed = [await again.next_event(), await again.next_event()]
            assert [message.json() for message in replayed] == [missed_one, missed_two]
            assert int(replayed[0].id or 0) > int(last.id or 0)
            await server.wait_subscribers(2)
            live = await notify_task(db, alice)
            assert (await again.next_event()).json() == live  # Bob's change never came


async def test_without_last_event_id_nothing_is_replayed(
    server: LiveServer, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    alice, mod = await make_user(), await make_user("moderator")
    async with server.stream(mod.headers) as watcher:
        await server.wait_subscribers(1)
        missed = await notify_task(db, alice)
        await seen_by(watcher, missed)
        async with server.stream(alice.headers) as fresh:
            await server.wait_subscribers(2)
            live = await notify_task(db, alice)
            assert (await fresh.next_event()).json() == live


async def test_beyond_the_window_the_client_is_told_to_resync(
    database_url: str, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    alice, mod = await make_user(), await make_user("moderator")
    async with (
        live_server(database_url, stream_replay_size=2) as server,
        server.stream(mod.headers) as watcher,
    ):
        async with server.stream(alice.headers) as first:
            await server.wait_subscribers(2)
            await notify_task(db, alice)
            last = await first.next_event()
        for _ in range(3):  # one more than the window keeps
            change = await notify_task(db, alice)
        await seen_by(watcher, change)

        for last_id in (str(last.id), "not-a-number"):
            resume = {**alice.headers, "Last-Event-ID": last_id}
            async with server.stream(resume) as again:
                resync = await again.next_event()
                assert resync.event == "resync"
                assert resync.json() == {"reason": "replay_window_exceeded"}
                assert int(resync.id or 0) > int(last.id or 0)
                await server.wait_subscribers(2)
                live = await notify_task(db, alice)
                assert (await again.next_event()).json() == live


async def test_a_client_that_saw_everything_gets_no_replay(
    server: LiveServer, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    alice = await make_user()
    async with server.stream(alice.headers) as first:
        await server.wait_subscribers(1)
        await notify_task(db, alice)
        last = await first.next_event()
    async with server.stream({**alice.headers, "Last-Event-ID": str(last.id)}) as again:
        await server.wait_subscribers(1)
        live = await notify_task(db, alice)
        assert (await again.next_event()).json() == live


async def test_an_overlong_last_event_id_is_a_documented_400(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    """The id the stream sends is short; a longer one is refused before anything is streamed,
    and the document says so (schemathesis found the 400 missing from it)."""
    response = await client.get(
        "/api/v1/stream", headers={**user.headers, "Last-Event-ID": "0" * 41}
    )
    assert_error(
        response,
        400,
        "VALIDATION_FAILED",
        "Validation failed for last-event-id: string should have at most 40 characters",
    )
    document = (await client.get("/api-docs/openapi.json")).json()
    assert document["paths"]["/stream"]["get"]["responses"]["400"]["description"] == (
        "Invalid header"
    )
