"""Two `starter server`s (one of them `--workers 2`) and two `starter worker`s on one database,
as behind a load balancer: what one process changes, the others see at once, and shared work
happens once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from tests.monitoring.stream_server import SseReader
from tests.scale.stack import (
    Server,
    Stack,
    create_task,
    current_session,
    running_stack,
    sign_in,
    sign_up,
    stack_env,
    wait_for,
    wait_ready,
)

pytestmark = pytest.mark.slow
REAPER_INTERVAL_SECS = 1.0


@dataclass
class Cluster:
    stack: Stack
    servers: tuple[Server, Server]


def _start(stack: Stack, url: str) -> tuple[Server, Server]:
    # B is itself two processes (`--workers 2`), each with its own principal cache and stream.
    servers = (stack.server("server-a"), stack.server("server-b", workers=2))
    for name in ("worker-a", "worker-b"):
        stack.worker(name, reaper_interval_secs=str(REAPER_INTERVAL_SECS))
    asyncio.run(wait_ready(stack, url))
    return servers


@pytest.fixture(scope="module")
def cluster(scale_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("multi-process")
    with running_stack(root, stack_env(scale_database, scale_database)) as stack:
        yield Cluster(stack, _start(stack, scale_database))


@contextlib.asynccontextmanager
async def _clients(cluster: Cluster) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    async with (
        httpx.AsyncClient(base_url=cluster.servers[0].base_url, timeout=10) as a,
        httpx.AsyncClient(base_url=cluster.servers[1].base_url, timeout=10) as b,
    ):
        yield a, b


async def test_a_session_revoked_through_one_server_is_refused_by_the_other_within_a_second(
    cluster: Cluster,
) -> None:
    async with _clients(cluster) as (a, b):
        username, headers = await sign_up(a)
        other = await sign_in(a, username)
        for _ in range(10):  # B's processes now answer from their principal caches
            assert (await b.get("/api/v1/auth/me", headers=headers)).status_code == 200
        session = await current_session(a, headers)
        ended = await a.delete(f"/api/v1/auth/sessions/{session}", headers=other)
        assert ended.status_code == 200, ended.text

        async def refused_by_b() -> bool:
            return (await b.get("/api/v1/auth/me", headers=headers)).status_code == 401

        took = await wait_for(refused_by_b, within=1, what="B refuses", stack=cluster.stack)
        print(f"revocation reached the other server in {took * 1000:.0f} ms")
        for _ in range(10):  # whichever of B's processes answers
            assert (await b.get("/api/v1/auth/me", headers=headers)).status_code == 401
        assert (await b.get("/api/v1/auth/me", headers=other)).status_code == 200


async def test_tasks_created_through_either_server_run_exactly_once(
    cluster: Cluster, direct: asyncpg.Connection
) -> None:
    count = 40
    async with _clients(cluster) as clients:
        _, headers = await sign_up(clients[0])
        ids = await asyncio.gather(
            *(create_task(clients[i % 2], headers, task_id=str(i)) for i in range(count))
        )

        async def all_completed() -> bool:
            done: int = await direct.fetchval(
                "SELECT count(*) FROM tasks WHERE id = ANY($1::uuid[]) AND status = 'completed'",
                ids,
            )
            return done == count

        await wait_for(all_completed, within=20, what="tasks completed", stack=cluster.stack)
    runs = await direct.fetch(
        """SELECT tags->>'status' AS status, count(*) AS n, count(DISTINCT tags->>'task_id') AS tasks
             FROM events WHERE tags->>'task_id' = ANY($1::text[]) AND tags->>'status' IN
                  ('running', 'completed') GROUP BY 1""",
        ids,
    )
    assert {r["status"]: (r["n"], r["tasks"]) for r in runs} == {
        "running": (count, count),
        "completed": (count, count),
    }
    attempts = await direct.fetch(
        "SELECT DISTINCT current_attempt FROM tasks WHERE id = ANY($1::uuid[])", ids
    )
    assert [r["current_attempt"] for r in attempts] == [1]


async def test_periodic_jobs_run_once_per_tick_across_workers(
    cluster: Cluster, direct: asyncpg.Connection
) -> None:
    query = "SELECT runs FROM worker_jobs WHERE name = 'worker.reap_expired_leases'"
    window = 5.0
    before = await direct.fetchval(query)
    started = time.monotonic()
    await asyncio.sleep(window)
    runs = await direct.fetchval(query) - before
    elapsed = time.monotonic() - started
    # Once per interval however many workers tick: both workers running it would double this.
    # A loaded machine may tick late, never early, so only the upper bound is tight.
    assert 2 <= runs <= elapsed / REAPER_INTERVAL_SECS + 1
    by = await direct.fetchval(
        "SELECT count(DISTINCT last_run_by) FROM worker_jobs WHERE last_run_by IS NOT NULL"
    )
    assert by >= 1


async def test_live_streams_on_both_servers_receive_a_tasks_status_changes(
    cluster: Cluster,
) -> None:
    timeout = httpx.Timeout(10.0, read=30.0)
    async with _clients(cluster) as (a, _b):
        _, headers = await sign_up(a)
        async with contextlib.AsyncExitStack() as streams:
            readers = []
            for server in cluster.servers:
                http = await streams.enter_async_context(
                    httpx.AsyncClient(base_url=server.base_url, timeout=timeout)
                )
                response = await streams.enter_async_context(
                    http.stream("GET", "/api/v1/stream", headers=headers)
                )
                assert response.status_code == 200
                readers.append(SseReader(response))
            task_id = await create_task(a, headers)
            seen = await asyncio.gather(*(_statuses(reader, task_id) for reader in readers))
    for statuses in seen:
        assert "running" in statuses
        assert statuses[-1] == "completed"


async def _statuses(reader: SseReader, task_id: str) -> list[str]:
    statuses: list[str] = []
    while "completed" not in statuses:
        event = await reader.next_event(within=10)
        if event.event == "task" and event.json().get("id") == task_id:
            statuses.append(event.json()["status"])
    return statuses
