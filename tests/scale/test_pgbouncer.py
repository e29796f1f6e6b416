"""The platform behind PgBouncer in transaction mode: a real `starter server` and `starter
worker` pool their connections through it (no prepared statements kept), and LISTEN goes
straight to PostgreSQL (`STARTER__DATABASE__LISTEN_URL`), so wake-ups, auth invalidation and
the live stream still work."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from starter.core.db import database_name
from starter.core.security import digest
from tests.cli.conftest import run_starter
from tests.monitoring.stream_server import SseReader
from tests.scale.pgbouncer import PgBouncer, running_pgbouncer
from tests.scale.stack import (
    Server,
    Stack,
    create_task,
    running_stack,
    sign_up,
    stack_env,
    wait_for,
    wait_ready,
)

pytestmark = pytest.mark.slow


@dataclass
class Bounced:
    bouncer: PgBouncer
    pool_url: str
    stack: Stack
    server: Server


def _start(stack: Stack, direct_url: str) -> Server:
    server = stack.server("server")
    stack.worker("worker")
    asyncio.run(wait_ready(stack, direct_url))
    return server


@pytest.fixture(scope="module")
def bounced(scale_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bounced]:
    name = database_name(scale_database)
    with running_pgbouncer(scale_database) as bouncer:
        pool_url = bouncer.url(name)
        root = tmp_path_factory.mktemp("pgbouncer-stack")
        with running_stack(root, stack_env(pool_url, scale_database)) as stack:
            server = _start(stack, scale_database)
            yield Bounced(bouncer, pool_url, stack, server)


def _client(bounced: Bounced) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=bounced.server.base_url, timeout=10)


async def test_tasks_are_created_claimed_and_completed_through_pgbouncer(
    bounced: Bounced, direct: asyncpg.Connection
) -> None:
    async with _client(bounced) as http:
        _, headers = await sign_up(http)
        ids = [await create_task(http, headers, task_id=str(i)) for i in range(5)]

        async def all_completed() -> bool:
            statuses = [
                (await http.get(f"/api/v1/tasks/{id}", headers=headers)).json()["data"]["status"]
                for id in ids
            ]
            return statuses == ["completed"] * len(ids)

        # Far below the worker's 30 s poll: the NOTIFY of each insert woke it.
        await wait_for(all_completed, within=10, what="tasks completed", stack=bounced.stack)
    completions = await direct.fetchval(
        "SELECT count(*) FROM events WHERE tags->>'status' = 'completed'"
        " AND tags->>'task_id' = ANY($1::text[])",
        ids,
    )
    assert completions == len(ids)
    stats = {row["database"]: row for row in bounced.bouncer.show("STATS")}
    database = database_name(bounced.pool_url)
    assert int(stats[database]["total_xact_count"]) > 0  # the pools really went through it
    assert "prepared statement" not in bounced.stack.logs()


async def test_a_session_revoked_elsewhere_is_refused_within_a_second(
    bounced: Bounced,
) -> None:
    async with _client(bounced) as http:
        _, headers = await sign_up(http)
        for _ in range(2):  # the second answer comes from the principal cache
            assert (await http.get("/api/v1/auth/me", headers=headers)).status_code == 200
        # Another tool ends the session through the pooler; the trigger's NOTIFY reaches the
        # server's listener, which forgets the cached principal.
        tool = await asyncpg.connect(bounced.pool_url, statement_cache_size=0)
        try:
            await tool.execute(
                "UPDATE sessions SET is_active = FALSE WHERE token_hash = $1",
                digest(headers["Authorization"].removeprefix("Bearer ")),
            )
        finally:
            await tool.close()

        async def refused() -> bool:
            return (await http.get("/api/v1/auth/me", headers=headers)).status_code == 401

        await wait_for(refused, within=1, what="revoked session refused", stack=bounced.stack)


async def test_the_live_stream_receives_task_status_through_pgbouncer(bounced: Bounced) -> None:
    async with _client(bounced) as http:
        _, headers = await sign_up(http)
        timeout = httpx.Timeout(10.0, read=30.0)
        async with (
            httpx.AsyncClient(base_url=bounced.server.base_url, timeout=timeout) as sse,
            sse.stream("GET", "/api/v1/stream", headers=headers) as response,
        ):
            assert response.status_code == 200
            reader = SseReader(response)
            task_id = await create_task(http, headers)
            statuses = []
            while "completed" not in statuses:
                event = await reader.next_event(within=10)
                if event.event == "task" and event.json().get("id") == task_id:
                    statuses.append(event.json()["status"])
    assert statuses[-1] == "completed"
    assert "running" in statuses


async def test_no_session_lock_is_left_on_a_pooled_connection(
    bounced: Bounced, direct: asyncpg.Connection
) -> None:
    """Start-up migrates under a session advisory lock: over the direct URL it is released;
    through the pooler it would stay held by whichever server connection took it, and the next
    process to migrate would wait for it forever."""
    held = await direct.fetchval(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    assert held == 0


async def test_the_health_check_probes_through_pgbouncer(bounced: Bounced) -> None:
    result = await run_starter("health-check", env=bounced.stack.env)
    assert (result.code, result.stdout.strip()) == (0, "OK"), result.stderr
