"""The live stream's plumbing: heartbeats, slow clients dropped, disconnects cleaned up, one
shared LISTEN connection."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.monitoring.stream_server import live_server
from tests.support.users import AppUser, MakeUser


async def listener_pids(db: asyncpg.Connection) -> list[int]:
    rows = await db.fetch(
        """SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND query LIKE 'LISTEN %starter_monitoring%'"""
    )
    return [row["pid"] for row in rows]


async def _idle(db: asyncpg.Connection, pids: list[int]) -> bool:
    states = await db.fetch("SELECT state FROM pg_stat_activity WHERE pid = ANY($1)", pids)
    return all(row["state"] == "idle" for row in states)


async def listener_connections(db: asyncpg.Connection) -> int:
    return len(await listener_pids(db))


async def test_idle_stream_gets_heartbeats(database_url: str, user: AppUser) -> None:
    async with (
        live_server(database_url, stream_heartbeat_secs=0.2) as server,
        server.stream(user.headers) as stream,
    ):
        opening = await stream.next()
        assert opening.comments == ["connected"]
        for _ in range(2):
            ping = await stream.next(within=2)
            assert (ping.event, ping.comments) == (None, ["ping"])


async def test_slow_client_is_disconnected_when_its_queue_overflows(
    database_url: str, db: asyncpg.Connection, moderator: AppUser
) -> None:
    async with live_server(database_url, stream_queue_size=2) as server:
        async with server.stream(moderator.headers) as stream:
            await server.wait_subscribers(1)
            # One commit delivers the whole burst at once, faster than the client drains it.
            await db.execute(
                """SELECT pg_notify('starter_monitoring',
                                    json_build_object('kind', 'event', 'id', n)::text)
                   FROM generate_series(1, 200) AS n"""
            )
            received = 0
            with pytest.raises(EOFError):
                while True:
                    block = await stream.next(within=5)
                    received += block.event is not None
            assert received < 200
            assert server.hub.subscriber_count == 0

        # A fresh connection starts a fresh queue.
        async with server.stream(moderator.headers) as again:
            await server.wait_subscribers(1)
            await db.execute(
                """SELECT pg_notify('starter_monitoring', '{"kind":"alert","id":"a"}')"""
            )
            assert (await again.next_event()).json() == {"kind": "alert", "id": "a"}


async def test_disconnect_removes_the_subscriber_and_one_listener_serves_all(
    database_url: str, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    first, second = await make_user(), await make_user("moderator")
    async with live_server(database_url) as server:
        assert await listener_connections(db) == 0  # opened lazily by the first subscriber
        async with server.stream(first.headers), server.stream(second.headers):
            await server.wait_subscribers(2)
            assert await listener_connections(db) == 1
        await server.wait_subscribers(0)
        assert await listener_connections(db) == 1


async def test_stream_reconnects_its_listener_after_it_is_killed(
    database_url: str, db: asyncpg.Connection, moderator: AppUser
) -> None:
    async with (
        live_server(database_url) as server,
        server.stream(moderator.headers) as stream,
    ):
        await server.wait_subscribers(1)
        [old] = await listener_pids(db)
        await db.execute("SELECT pg_terminate_backend($1)", old)
        for _ in range(200):
            pids = await listener_pids(db)
            # `query` shows a statement from its start: wait until the new LISTEN has finished,
            # or the notification below could arrive before it listens.
            if pids and old not in pids and await _idle(db, pids):
                break
            await asyncio.sleep(0.05)
        assert len(pids) == 1 and old not in pids
        await db.execute("""SELECT pg_notify('starter_monitoring', '{"kind":"event","id":"x"}')""")
        assert (await stream.next_event()).json() == {"kind": "event", "id": "x"}
