"""Task-queue benchmark: our worker vs pgqueuer on the same PostgreSQL, in one run.

    .venv/bin/python bench/queue.py [--tasks 20000] [--latency-tasks 200]

Protocol (the same for both): enqueue N no-op tasks one row per statement, then N in batches;
process N pre-enqueued tasks at concurrency 8 and 32 (wall time from worker start to the last
task recorded done); pickup latency of tasks created one by one on an idle worker (from just
before the enqueue call to the handler starting). Ours runs with retries, leases, heartbeats,
status NOTIFYs and monitoring events on. Database: STARTER__DATABASE__URL's server or the
embedded one; a scratch database `starter_bench_queue` is (re)created.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib `queue` module: keep its folder off the import path.
_HERE = Path(__file__).resolve().parent
# bench/http.py is named like the stdlib `http` package: this folder goes last on the path
# (so `import http` is the stdlib) but stays importable for `benchlib`.
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

import asyncpg  # noqa: E402

from benchlib import recreate_database  # noqa: E402
from starter.core import db  # noqa: E402
from starter.core.config import Settings, WorkerSettings, load_settings  # noqa: E402
from starter.core.logging import configure_logging  # noqa: E402
from starter.core.migrate import migrate_up  # noqa: E402
from starter.tasks.handlers.base import HandlerSpec, TaskContext  # noqa: E402
from starter.tasks.queue import enqueue  # noqa: E402
from starter.worker.lifecycle import register_types, worker_pool  # noqa: E402
from starter.worker.runner import Worker  # noqa: E402

BENCH_DB = "starter_bench_queue"
BATCH = 1000
Results = dict[str, float]

BULK_ENQUEUE = """
WITH ins AS (
    INSERT INTO tasks (task_type, payload, max_attempts, retry_strategy)
    SELECT 'noop', jsonb_build_object('n', n), 5, $2::jsonb FROM unnest($1::int[]) AS n
    RETURNING id, task_type, status, created_by
), ev AS (
    INSERT INTO events (event_type, source, message, level, tags)
    SELECT 'log', 'tasks', 'Task ' || id || ' (noop) is now pending', 'info',
           jsonb_build_object('task_id', id::text, 'task_type', task_type, 'status', status)
      FROM ins
)
SELECT count(*), pg_notify('starter_tasks_ready', 'noop') FROM ins
"""


async def fresh_database(settings: Settings) -> str:
    # Both queues are measured, not this disk's fsync latency (it would dominate every commit).
    bench_url = await recreate_database(BENCH_DB, settings, synchronous_commit=False)
    async with db.connect_once(bench_url) as conn:
        await migrate_up(conn)
    return bench_url


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await fn()
    return time.perf_counter() - started


def latency_stats(samples: list[float], committed: list[float]) -> Results:
    """p50/p95/p99 from before the enqueue call, and `c50` from its commit, in ms."""
    ms = sorted(s * 1000 for s in samples)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "c50": statistics.median(c * 1000 for c in committed),
    }


# --- ours ------------------------------------------------------------------------------------


class Ours:
    def __init__(self, url: str, n: int, latency_n: int) -> None:
        self.url, self.n, self.latency_n = url, n, latency_n
        self.settings = load_settings(
            database={"url": url, "max_connections": 8, "min_connections": 2},
            worker=WorkerSettings(poll_interval_secs=1, shutdown_grace_secs=5),
            log_level="warning",
        )
        self.done = 0
        self.target = 0
        self.all_done = asyncio.Event()
        self.started_at: dict[int, float] = {}
        self.started = asyncio.Event()

    async def handle(self, ctx: TaskContext) -> dict[str, Any]:
        self.done += 1
        if isinstance(ctx.payload, dict) and "seq" in ctx.payload:
            self.started_at[ctx.payload["seq"]] = time.perf_counter()
            self.started.set()
        if self.done >= self.target:
            self.all_done.set()
        return {}

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE tasks, events CASCADE")
        await conn.execute("VACUUM ANALYZE tasks")

    async def run(self) -> Results:
        out: Results = {}
        handlers = {"noop": HandlerSpec("noop", "benchmark no-op", self.handle)}
        async with db.connect_once(self.url) as conn:
            await register_types(conn, handlers)
            await self.reset(conn)

            async def singles() -> None:
                for i in range(self.n):
                    await enqueue(conn, task_type="noop", payload={"n": i})

            out["enqueue_single"] = self.n / await timed(singles)
            await self.reset(conn)
            out["enqueue_batched"] = self.n / await timed(lambda: self.bulk(conn))
            for concurrency in (8, 32):
                await self.reset(conn)
                await self.bulk(conn)
                out[f"throughput_c{concurrency}"] = await self.process(conn, handlers, concurrency)
            await self.reset(conn)
            out.update(await self.latency(conn, handlers))
        return out

    async def bulk(self, conn: asyncpg.Connection) -> None:
        strategy = {
            "exponential": {
                "base_delay": {"secs": 1, "nanos": 0},
                "multiplier": 2.0,
                "max_delay": {"secs": 300, "nanos": 0},
                "max_attempts": 5,
            }
        }
        for start in range(0, self.n, BATCH):
            await conn.execute(
                BULK_ENQUEUE, list(range(start, min(start + BATCH, self.n))), strategy
            )

    async def process(
        self, conn: asyncpg.Connection, handlers: dict[str, HandlerSpec], concurrency: int
    ) -> float:
        self.done, self.target = 0, self.n
        self.all_done.clear()
        async with worker_pool(self.settings, self.url, concurrency) as pool:
            worker = Worker(
                self.settings, pool, self.url, handlers=handlers, concurrency=concurrency
            )
            started = time.perf_counter()
            task = asyncio.create_task(worker.run())
            await self.all_done.wait()
            while (  # noqa: ASYNC110 - waiting for the last batch to be written
                await conn.fetchval("SELECT count(*) FROM tasks WHERE status = 'completed'")
                < self.n
            ):
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - started
            worker.request_stop()
            await task
        return self.n / elapsed

    async def latency(self, conn: asyncpg.Connection, handlers: dict[str, HandlerSpec]) -> Results:
        self.target = 10**9
        samples: list[float] = []
        committed: list[float] = []
        async with worker_pool(self.settings, self.url, 8) as pool:
            worker = Worker(self.settings, pool, self.url, handlers=handlers, concurrency=8)
            task = asyncio.create_task(worker.run())
            await worker.started.wait()
            await asyncio.sleep(0.2)
            for seq in range(self.latency_n):
                self.started.clear()
                t0 = time.perf_counter()
                await enqueue(conn, task_type="noop", payload={"seq": seq})
                t1 = time.perf_counter()
                await asyncio.wait_for(self.started.wait(), 10)
                samples.append(self.started_at[seq] - t0)
                committed.append(self.started_at[seq] - t1)
                await asyncio.sleep(0.01)
            worker.request_stop()
            await task
        return latency_stats(samples, committed)


# --- pgqueuer --------------------------------------------------------------------------------


class PgQueuer:
    def __init__(self, url: str, n: int, latency_n: int) -> None:
        self.url, self.n, self.latency_n = url, n, latency_n
        self.started_at: dict[int, float] = {}
        self.started = asyncio.Event()

    async def run(self) -> Results:
        from pgqueuer.db import AsyncpgDriver
        from pgqueuer.queries import Queries

        out: Results = {}
        conn = await asyncpg.connect(self.url)
        try:
            queries = Queries(AsyncpgDriver(conn))
            await queries.install()

            async def singles() -> None:
                for i in range(self.n):
                    await queries.enqueue("noop", str(i).encode())

            out["enqueue_single"] = self.n / await timed(singles)
            await queries.clear_queue()
            out["enqueue_batched"] = self.n / await timed(lambda: self.bulk(queries))
            for concurrency in (8, 32):
                await queries.clear_queue()
                await self.bulk(queries)
                out[f"throughput_c{concurrency}"] = await self.process(concurrency)
            await queries.clear_queue()
            out.update(await self.latency(queries))
        finally:
            await conn.close()
        return out

    async def bulk(self, queries: Any) -> None:
        for start in range(0, self.n, BATCH):
            count = min(BATCH, self.n - start)
            await queries.enqueue(
                ["noop"] * count, [str(start + i).encode() for i in range(count)], [0] * count
            )

    def manager(self, conn: asyncpg.Connection, concurrency: int) -> Any:
        from pgqueuer.db import AsyncpgDriver
        from pgqueuer.qm import QueueManager
        from pgqueuer.queries import Queries

        qm = QueueManager(Queries(AsyncpgDriver(conn)))

        async def noop(job: Any) -> None:
            if job.payload and job.payload.startswith(b"seq:"):
                self.started_at[int(job.payload[4:])] = time.perf_counter()
                self.started.set()

        qm.entrypoint("noop", concurrency_limit=concurrency)(noop)
        return qm

    async def process(self, concurrency: int) -> float:
        from pgqueuer.types import QueueExecutionMode

        conn = await asyncpg.connect(self.url)
        try:
            qm = self.manager(conn, concurrency)
            started = time.perf_counter()
            await qm.run(
                batch_size=max(concurrency // 2, 1),
                mode=QueueExecutionMode.drain,
                max_concurrent_tasks=concurrency,
                dequeue_timeout=timedelta(seconds=1),
            )
            return self.n / (time.perf_counter() - started)
        finally:
            await conn.close()

    async def latency(self, queries: Any) -> Results:
        conn = await asyncpg.connect(self.url)
        samples: list[float] = []
        committed: list[float] = []
        try:
            qm = self.manager(conn, 8)
            task = asyncio.create_task(qm.run(batch_size=4, max_concurrent_tasks=8))
            await asyncio.sleep(0.5)
            for seq in range(self.latency_n):
                self.started.clear()
                t0 = time.perf_counter()
                await queries.enqueue("noop", f"seq:{seq}".encode())
                t1 = time.perf_counter()
                await asyncio.wait_for(self.started.wait(), 10)
                samples.append(self.started_at[seq] - t0)
                committed.append(self.started_at[seq] - t1)
                await asyncio.sleep(0.01)
            qm.shutdown.set()
            await task
        finally:
            await conn.close()
        return latency_stats(samples, committed)


def report(ours: Results, theirs: Results | None) -> None:
    rows = [
        ("enqueue, one row per statement", "enqueue_single", "tasks/s", True),
        ("enqueue, batches of 1000", "enqueue_batched", "tasks/s", True),
        ("processing, concurrency 8", "throughput_c8", "tasks/s", True),
        ("processing, concurrency 32", "throughput_c32", "tasks/s", True),
        ("pickup latency p50", "p50", "ms", False),
        ("pickup latency p95", "p95", "ms", False),
        ("pickup latency p99", "p99", "ms", False),
        ("pickup p50 from the enqueue commit", "c50", "ms", False),
    ]
    print(f"\n{'metric':<34}{'ours':>12}{'pgqueuer':>12}{'ours/pgq':>10}  unit")
    for label, key, unit, _higher in rows:
        mine = ours[key]
        other = theirs.get(key) if theirs else None
        ratio = f"{mine / other:>10.2f}" if other else f"{'-':>10}"
        other_text = f"{other:>12.1f}" if other is not None else f"{'-':>12}"
        print(f"{label:<34}{mine:>12.1f}{other_text}{ratio}  {unit}")
    if theirs:
        verdict_tp = ours["throughput_c32"] >= 1.2 * theirs["throughput_c32"]
        print(f"\ntarget ≥1.2× pgqueuer throughput at c32: {'met' if verdict_tp else 'NOT met'}")
    print(f"target ≤5 ms p50 pickup: {'met' if ours['p50'] <= 5 else 'NOT met'}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--latency-tasks", type=int, default=200)
    parser.add_argument("--skip-pgqueuer", action="store_true")
    args = parser.parse_args()
    configure_logging("warning")
    url = await fresh_database(load_settings())
    print(
        f"queue benchmark: {args.tasks} no-op tasks, {args.latency_tasks} for latency, "
        f"synchronous_commit=off for both (run {uuid.uuid4().hex[:6]})",
        flush=True,
    )
    ours = await Ours(url, args.tasks, args.latency_tasks).run()
    print("ours:", {k: round(v, 2) for k, v in ours.items()}, flush=True)
    theirs = None
    if not args.skip_pgqueuer:
        try:
            import pgqueuer  # noqa: F401
        except ImportError:
            print("pgqueuer not installed (pip install -e '.[bench]'): baseline skipped")
        else:
            theirs = await PgQueuer(url, args.tasks, args.latency_tasks).run()
            print("pgqueuer:", {k: round(v, 2) for k, v in theirs.items()}, flush=True)
    report(ours, theirs)


if __name__ == "__main__":
    asyncio.run(main())
