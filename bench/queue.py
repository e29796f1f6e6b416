"""Task-queue benchmark: our worker vs pgqueuer on the same PostgreSQL, in one run.

    .venv/bin/python bench/queue.py [--tasks 10000] [--latency-tasks 100] [--rounds 5]

Protocol (the same for both): enqueue N no-op tasks one per call, then N in batches of 1,000;
process N pre-enqueued tasks at concurrency 8 and 32 (wall time from worker start to the last
task recorded done); pickup latency of tasks created one by one on an idle worker (from just
before the enqueue call to the handler starting). `--rounds` rounds; in each, every phase runs
for both libraries back to back, and which goes first alternates from round to round (a shared
VM's speed drifts over minutes: back-to-back runs of one library would turn the drift into the
ratio). Each figure is the median over the rounds, with its range; each ratio is the median
of the rounds' own ratios. Ours enqueues through `enqueue` / `enqueue_many` (type checked,
payload checked against the type's rule, creation event, NOTIFY on commit) and processes with
retries, leases, heartbeats, status NOTIFYs and monitoring events on. Database:
STARTER__DATABASE__URL's server or the embedded one; a scratch database `starter_bench_queue`
is (re)created with synchronous_commit=off (the settings are printed).

Exits 1 when a target is missed (the `TARGETS` below).
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
from dataclasses import dataclass  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any, Protocol  # noqa: E402

import asyncpg  # noqa: E402

from benchlib import load_average, recreate_database, server_settings  # noqa: E402
from starter.core import db  # noqa: E402
from starter.core.config import Settings, WorkerSettings, load_settings  # noqa: E402
from starter.core.logging import configure_logging  # noqa: E402
from starter.core.migrate import migrate_up  # noqa: E402
from starter.tasks.handlers.base import HandlerSpec, TaskContext  # noqa: E402
from starter.tasks.queue import enqueue, enqueue_many  # noqa: E402
from starter.worker.lifecycle import register_types, worker_pool  # noqa: E402
from starter.worker.runner import Worker  # noqa: E402

BENCH_DB = "starter_bench_queue"
BATCH = 1000
CONCURRENCIES = (8, 32)
Results = dict[str, float]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    higher_is_better: bool
    target: float | None  # ours/pgqueuer: at least (higher is better) or at most


METRICS = (
    Metric("enqueue_single", "enqueue, one task per call", "tasks/s", True, 1.0),
    Metric("enqueue_batched", f"enqueue, batches of {BATCH}", "tasks/s", True, 1.0),
    Metric("throughput_c8", "processing, concurrency 8", "tasks/s", True, 2.0),
    Metric("throughput_c32", "processing, concurrency 32", "tasks/s", True, 1.5),
    Metric("p50", "pickup latency p50", "ms", False, 1.0),
    Metric("p95", "pickup latency p95", "ms", False, None),
    Metric("p99", "pickup latency p99", "ms", False, 1.0),
    Metric("c50", "pickup p50 from the enqueue commit", "ms", False, None),
)


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


class Queue(Protocol):
    name: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def enqueue_single(self) -> float: ...
    async def enqueue_batched(self) -> float: ...
    async def throughput(self, concurrency: int) -> float: ...
    async def latency(self) -> Results: ...


# --- ours ------------------------------------------------------------------------------------


class Ours:
    name = "ours"

    def __init__(self, url: str, n: int, latency_n: int) -> None:
        self.url, self.n, self.latency_n = url, n, latency_n
        self.settings = load_settings(
            database={"url": url, "max_connections": 8, "min_connections": 2},
            worker=WorkerSettings(poll_interval_secs=1, shutdown_grace_secs=5),
            log_level="warning",
        )
        self.handlers = {"noop": HandlerSpec("noop", "benchmark no-op", self.handle)}
        self.done = 0
        self.target = 0
        self.all_done = asyncio.Event()
        self.started_at: dict[int, float] = {}
        self.started = asyncio.Event()
        self.conn: asyncpg.Connection

    async def open(self) -> None:
        self.conn = await asyncpg.connect(self.url)
        await db.init_connection(self.conn)
        await register_types(self.conn, self.handlers)

    async def close(self) -> None:
        await self.conn.close()

    async def handle(self, ctx: TaskContext) -> dict[str, Any]:
        self.done += 1
        if isinstance(ctx.payload, dict) and "seq" in ctx.payload:
            self.started_at[ctx.payload["seq"]] = time.perf_counter()
            self.started.set()
        if self.done >= self.target:
            self.all_done.set()
        return {}

    async def reset(self) -> None:
        await self.conn.execute("TRUNCATE tasks, events CASCADE")
        await self.conn.execute("VACUUM ANALYZE tasks")

    async def enqueue_single(self) -> float:
        await self.reset()

        async def singles() -> None:
            for i in range(self.n):
                await enqueue(self.conn, task_type="noop", payload={"n": i})

        return self.n / await timed(singles)

    async def enqueue_batched(self) -> float:
        await self.reset()
        return self.n / await timed(self.bulk)

    async def bulk(self) -> None:
        for start in range(0, self.n, BATCH):
            chunk = range(start, min(start + BATCH, self.n))
            await enqueue_many(self.conn, task_type="noop", payloads=[{"n": i} for i in chunk])

    async def throughput(self, concurrency: int) -> float:
        await self.reset()
        await self.bulk()
        self.done, self.target = 0, self.n
        self.all_done.clear()
        async with worker_pool(self.settings, self.url, concurrency) as pool:
            worker = Worker(
                self.settings, pool, self.url, handlers=self.handlers, concurrency=concurrency
            )
            started = time.perf_counter()
            task = asyncio.create_task(worker.run())
            await self.all_done.wait()
            while (  # noqa: ASYNC110 - waiting for the last batch to be written
                await self.conn.fetchval("SELECT count(*) FROM tasks WHERE status = 'completed'")
                < self.n
            ):
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - started
            worker.request_stop()
            await task
        return self.n / elapsed

    async def latency(self) -> Results:
        await self.reset()
        self.target = 10**9
        samples: list[float] = []
        committed: list[float] = []
        async with worker_pool(self.settings, self.url, 8) as pool:
            worker = Worker(self.settings, pool, self.url, handlers=self.handlers, concurrency=8)
            task = asyncio.create_task(worker.run())
            await worker.started.wait()
            await asyncio.sleep(0.2)
            for seq in range(self.latency_n):
                self.started.clear()
                t0 = time.perf_counter()
                await enqueue(self.conn, task_type="noop", payload={"seq": seq})
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
    name = "pgqueuer"

    def __init__(self, url: str, n: int, latency_n: int) -> None:
        self.url, self.n, self.latency_n = url, n, latency_n
        self.started_at: dict[int, float] = {}
        self.started = asyncio.Event()
        self.conn: asyncpg.Connection
        self.queries: Any

    async def open(self) -> None:
        from pgqueuer.db import AsyncpgDriver
        from pgqueuer.queries import Queries

        self.conn = await asyncpg.connect(self.url)
        self.queries = Queries(AsyncpgDriver(self.conn))
        await self.queries.install()

    async def close(self) -> None:
        await self.conn.close()

    async def reset(self) -> None:
        await self.queries.clear_queue()
        await self.conn.execute("VACUUM ANALYZE pgqueuer")

    async def enqueue_single(self) -> float:
        await self.reset()

        async def singles() -> None:
            for i in range(self.n):
                await self.queries.enqueue("noop", str(i).encode())

        return self.n / await timed(singles)

    async def enqueue_batched(self) -> float:
        await self.reset()
        return self.n / await timed(self.bulk)

    async def bulk(self) -> None:
        for start in range(0, self.n, BATCH):
            count = min(BATCH, self.n - start)
            await self.queries.enqueue(
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

    async def throughput(self, concurrency: int) -> float:
        from pgqueuer.types import QueueExecutionMode

        await self.reset()
        await self.bulk()
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

    async def latency(self) -> Results:
        await self.reset()
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
                await self.queries.enqueue("noop", f"seq:{seq}".encode())
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


# --- rounds and report -----------------------------------------------------------------------


async def one_round(queues: list[Queue], into: dict[str, dict[str, list[float]]]) -> None:
    """Every phase for each queue in turn, in the order given."""

    def keep(queue: Queue, key: str, value: float) -> None:
        into[queue.name].setdefault(key, []).append(value)

    for queue in queues:
        keep(queue, "enqueue_single", await queue.enqueue_single())
    for queue in queues:
        keep(queue, "enqueue_batched", await queue.enqueue_batched())
    for concurrency in CONCURRENCIES:
        for queue in queues:
            keep(queue, f"throughput_c{concurrency}", await queue.throughput(concurrency))
    for queue in queues:
        for key, value in (await queue.latency()).items():
            keep(queue, key, value)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):>9.1f} [{min(values):.1f}–{max(values):.1f}]"


def report(ours: dict[str, list[float]], theirs: dict[str, list[float]] | None) -> list[str]:
    """Print the table; return the targets missed."""
    missed: list[str] = []
    print(f"\n{'metric':<36}{'ours: median [range]':>30}{'pgqueuer':>30}{'ours/pgq':>24}  target")
    for m in METRICS:
        mine = ours[m.key]
        other = theirs.get(m.key) if theirs else None
        line = f"{m.label:<36}{spread(mine):>30}"
        if other is None:
            print(f"{line}  {m.unit}")
            continue
        ratios = [a / b for a, b in zip(mine, other, strict=True) if b]
        ratio = statistics.median(ratios)
        goal = ""
        if m.target is not None:
            met = ratio >= m.target if m.higher_is_better else ratio <= m.target
            goal = (
                f"{'≥' if m.higher_is_better else '≤'} {m.target:.1f}× {'met' if met else 'MISSED'}"
            )
            if not met:
                missed.append(m.label)
        ranged = f"{ratio:.2f} [{min(ratios):.2f}–{max(ratios):.2f}]"
        print(f"{line}{spread(other):>30}{ranged:>24}  {goal} ({m.unit})")
    return missed


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--latency-tasks", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-pgqueuer", action="store_true")
    args = parser.parse_args()
    configure_logging("warning")
    url = await fresh_database(load_settings())
    print(
        f"queue benchmark (run {uuid.uuid4().hex[:6]}): {args.tasks} no-op tasks per phase, "
        f"{args.latency_tasks} for latency, {args.rounds} rounds",
        flush=True,
    )
    print(await server_settings(url), flush=True)
    print(f"start: {load_average()}", flush=True)
    queues: list[Queue] = [Ours(url, args.tasks, args.latency_tasks)]
    if not args.skip_pgqueuer:
        try:
            import pgqueuer  # noqa: F401
        except ImportError:
            print("pgqueuer not installed (pip install -e '.[bench]'): baseline skipped")
        else:
            queues.append(PgQueuer(url, args.tasks, args.latency_tasks))
    results: dict[str, dict[str, list[float]]] = {q.name: {} for q in queues}
    for queue in queues:
        await queue.open()
    try:
        for number in range(args.rounds):
            order = queues if number % 2 == 0 else queues[::-1]
            await one_round(order, results)
            row = {q.name: {k: round(v[-1], 1) for k, v in results[q.name].items()} for q in order}
            print(f"round {number + 1} (in this order: {', '.join(q.name for q in order)}): {row}")
            print(f"  {load_average()}", flush=True)
    finally:
        for queue in queues:
            await queue.close()
    missed = report(results["ours"], results.get("pgqueuer"))
    print(f"\nend: {load_average()}")
    if "pgqueuer" not in results:
        print("no baseline: targets not checked")
        return 1
    print("targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
