"""Monitoring benchmark: event ingest (single and batch) and tag-filtered reads.

    .venv/bin/python bench/monitoring.py [--events 1000000] [--reads 200] [--seconds 5]
        [--rounds 3] [--concurrency 16] [--batch-size 1000] [--batch-concurrency 4]
        [--synchronous-commit on|off] [--explain] [--keep]

Protocol: a scratch database `starter_bench_monitoring` is (re)created and migrated, then
`--events` rows are bulk-loaded with one INSERT … SELECT generate_series (tags: env 1/3,
service 1/50, host 1/1000, a unique request_id; 30 days of timestamps) and ANALYZEd. The
PostgreSQL settings it runs with (synchronous_commit, fsync, …) are printed; synchronous_commit
is the server's own unless `--synchronous-commit off`. A real server process (`starter server`)
is started on it.

Reads: `--reads` sequential GET /monitoring/events?tags=…&limit=100 per selectivity,
client-side latency. Ingest, in `--rounds` alternating rounds of `--seconds` each from
`--concurrency` connections (wrk when on PATH, else bench/loadgen.py's asyncio client): GET
/health/live, then POST /monitoring/events (one event per request) on each of two servers:
one with the durable default, one with STARTER__MONITORING__INGEST_SYNCHRONOUS_COMMIT=false
(the opt-in non-durable ingest), in alternating order; the ratio to /health/live is per round,
reported as the median. Then POST /monitoring/events/batch with `--batch-size` events per
request from `--batch-concurrency` connections, as events/s, on both. Only the durable
server's figures are judged against the targets. `server CPU` is the server process's CPU
time per request (independent of how busy the machine is).

Targets (exit 1 when one is missed): tag reads p99 < 50 ms; single ingest ≥ 25 % of
/health/live; batch ingest ≥ 20,000 events/s. The HTTP metrics middleware has its own
script, bench/http_metrics.py. Database: STARTER__DATABASE__URL's server or the embedded one.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is named like the stdlib `queue` module: keep this folder off the import path.
_HERE = Path(__file__).resolve().parent
# bench/http.py is named like the stdlib `http` package: this folder goes last on the path
# (so `import http` is the stdlib) but stays importable for `benchlib`.
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import orjson  # noqa: E402

from benchlib import cpu_seconds, free_port, recreate_database  # noqa: E402
from loadgen import Phase, measure  # noqa: E402
from starter.core import db  # noqa: E402
from starter.core.config import Settings, load_settings  # noqa: E402
from starter.core.migrate import migrate_up  # noqa: E402

BENCH_DB = "starter_bench_monitoring"
SINGLE_TARGET = 0.25  # single-event ingest rate against GET /health/live, same run
BATCH_TARGET = 20_000  # events/s through POST /monitoring/events/batch
READ_P99_TARGET_MS = 50.0
SETTINGS_SHOWN = ("server_version", "synchronous_commit", "fsync", "wal_level", "shared_buffers")
PASSWORD = "SecurePass123!"  # noqa: S105 (a throwaway bench account)
LOAD_SQL = """
INSERT INTO events (event_type, source, level, message, tags, payload, recorded_at, created_at)
SELECT (ARRAY['log', 'metric', 'trace', 'alert'])[1 + n % 4],
       'app-' || (n % 20),
       (ARRAY['info', 'warn', 'error', 'debug'])[1 + (n / 7) % 4],
       'bulk event ' || n,
       jsonb_build_object('env', (ARRAY['prod', 'staging', 'dev'])[1 + n % 3],
                          'service', 'svc-' || (n % 50), 'host', 'host-' || (n % 1000),
                          'request_id', md5(n::text)),
       jsonb_build_object('n', n),
       ts, ts
FROM generate_series(1, $1::int) AS n,
     LATERAL (SELECT NOW() - n * (INTERVAL '30 days' / $1::int) AS ts) AS t
"""
TAG_QUERIES = {
    "env:prod (1/3)": "env:prod",
    "service:svc-7 (1/50)": "service:svc-7",
    "host:host-17 (1/1000)": "host:host-17",
    "request_id (1 row)": "request_id:" + "b6d767d2f8ed5d21a44b0e5886680cb9",  # md5('22')
    "env+service (1/150)": "env:prod,service:svc-3",
    "no match": "env:nowhere",
}
EXPLAINED = {
    "tags env:prod": '{"env": "prod"}',
    "tags host:host-17": '{"host": "host-17"}',
    "tags request_id": '{"request_id": "b6d767d2f8ed5d21a44b0e5886680cb9"}',
    "tags no match": '{"env": "nowhere"}',
}


def cpu_note(pid: int, before: float | None, requests: int) -> str:
    after = cpu_seconds(pid)
    if before is None or after is None:
        return ""
    return f"; server CPU {(after - before) / requests * 1e3:.2f} ms/request"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def fresh_database(settings: Settings, events: int, synchronous_commit: bool) -> str:
    bench_url = await recreate_database(BENCH_DB, settings, synchronous_commit=synchronous_commit)
    async with db.connect_once(bench_url) as conn:
        await migrate_up(conn)
        started = time.perf_counter()
        await conn.execute(LOAD_SQL, events)
        await conn.execute("VACUUM ANALYZE events")
        took = time.perf_counter() - started
        shown = [f"{name}={await conn.fetchval(f'SHOW {name}')}" for name in SETTINGS_SHOWN]
    print(f"loaded {events:,} events in {took:.1f} s (incl. indexes and VACUUM ANALYZE)")
    print("PostgreSQL settings of the bench database: " + ", ".join(shown))
    return bench_url


async def explain(url: str) -> None:
    async with db.connect_once(url) as conn:
        for title, tags in EXPLAINED.items():
            rows = await conn.fetch(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM events "
                "WHERE tags @> $1::text::jsonb ORDER BY recorded_at DESC LIMIT 100 OFFSET 0",
                tags,
            )
            print(f"\n-- {title}")
            print("\n".join(row[0] for row in rows))


def start_server(
    url: str, port: int, *, http_metrics: bool = True, ingest_synchronous_commit: bool = True
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STARTER__DATABASE__URL": url,
        "STARTER__SERVER__ACCESS_LOG": "false",
        "STARTER__LOG_LEVEL": "warning",
        "STARTER__MONITORING__HTTP_METRICS": str(http_metrics).lower(),
        "STARTER__MONITORING__INGEST_SYNCHRONOUS_COMMIT": str(ingest_synchronous_commit).lower(),
        "STARTER__INITIAL_ADMIN_PASSWORD": PASSWORD,
    }
    starter = Path(sys.executable).with_name("starter")
    return subprocess.Popen(
        [str(starter), "server", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
    )


async def wait_ready(base: str, within_secs: float = 60) -> None:
    deadline = time.monotonic() + within_secs
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/api/v1/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not become ready")


async def login(client: httpx.AsyncClient) -> dict[str, str]:
    body = {"username": "benchuser", "email": "bench@example.com", "password": PASSWORD}
    await client.post("/api/v1/auth/register", json=body)
    response = await client.post(
        "/api/v1/auth/login", json={"username": "benchuser", "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['data']['session_token']}"}


def event_body(n: int) -> dict[str, Any]:
    return {
        "event_type": "log",
        "source": "app-bench",
        "level": "info",
        "message": f"ingest {n}",
        "tags": {"env": "bench", "n": str(n)},
    }


def phase_line(phase: Phase, unit: str = "req/s", scale: float = 1.0) -> str:
    return (
        f"{phase.rps * scale:>9,.0f} {unit}  p50 {phase.p50_ms:6.1f} ms  p99 {phase.p99_ms:6.1f} ms"
        f"  server CPU {phase.cpu_ms_per_request:.2f} ms/request  errors {phase.errors}"
    )


@dataclass(frozen=True)
class Server:
    """A running `starter server` and the ingest setting it runs with."""

    label: str
    port: int
    pid: int


def summarize(
    title: str, values: dict[str, list[float]], judged: Server, target: float, fmt: str
) -> bool:
    """Print each server's median and range; True when the judged server's meets `target`."""
    for label, figures in values.items():
        median = statistics.median(figures)
        verdict = (
            f"target ≥ {fmt.format(target)}: {'met' if median >= target else 'MISSED'}"
            if label == judged.label
            else "not judged (opt-in setting)"
        )
        print(
            f"{title}, {label}: median {fmt.format(median)} (range {fmt.format(min(figures))}–"
            f"{fmt.format(max(figures))}); {verdict}"
        )
    return statistics.median(values[judged.label]) >= target


async def ingest(
    durable: Server, relaxed: Server, headers: dict[str, str], args: argparse.Namespace
) -> bool:
    """Single-event ingest against /health/live, alternating rounds, then batch ingest; each
    on both servers. The targets are judged on the durable (default) one."""
    single = orjson.dumps(event_body(0))
    ratios: dict[str, list[float]] = {durable.label: [], relaxed.label: []}
    print(
        f"ingest: {args.rounds} alternating rounds of {args.seconds:g} s, {args.concurrency} "
        f"connections; servers: {durable.label}, {relaxed.label}"
    )
    for round_no in range(args.rounds):
        live = await measure(
            "live", durable.port, "/api/v1/health/live", {}, args.seconds, args.concurrency,
            durable.pid,
        )  # fmt: skip
        print(f"  round {round_no + 1}: GET /health/live        {phase_line(live)}")
        # Which server goes first alternates from round to round.
        order = (durable, relaxed) if round_no % 2 == 0 else (relaxed, durable)
        for server in order:
            one = await measure(
                "event", server.port, "/api/v1/monitoring/events", headers, args.seconds,
                args.concurrency, server.pid, body=single,
            )  # fmt: skip
            ratios[server.label].append(one.rps / live.rps if live.rps else 0.0)
            print(
                f"           POST /monitoring/events {phase_line(one)}  "
                f"({ratios[server.label][-1]:.0%}, {server.label})"
            )
            if one.errors or live.errors:
                print("  errors in the round: the figures are not valid")
                return False
    single_ok = summarize(
        "single event rate / /health/live", ratios, durable, SINGLE_TARGET, "{:.0%}"
    )
    batch = orjson.dumps({"events": [event_body(n) for n in range(args.batch_size)]})
    rates: dict[str, list[float]] = {durable.label: [], relaxed.label: []}
    for round_no in range(args.rounds):
        order = (durable, relaxed) if round_no % 2 == 0 else (relaxed, durable)
        for server in order:
            phase = await measure(
                "batch", server.port, "/api/v1/monitoring/events/batch", headers, args.seconds,
                args.batch_concurrency, server.pid, body=batch,
            )  # fmt: skip
            if phase.errors:
                print(f"  batch: {phase.errors} errors: the figures are not valid")
                return False
            rates[server.label].append(phase.rps * args.batch_size)
            print(
                f"  POST /monitoring/events/batch ({args.batch_size} per request, "
                f"{args.batch_concurrency} connections) "
                f"{phase_line(phase, 'events/s', args.batch_size)}  ({server.label})"
            )
    batch_ok = summarize("batch ingest, events/s", rates, durable, BATCH_TARGET, "{:,.0f}")
    return single_ok and batch_ok


async def reads(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    count: int,
    *,
    pid: int,
    report: bool = True,
) -> bool:
    """True when every tag query's p99 is under READ_P99_TARGET_MS."""
    if report:
        print(f"tag-filtered reads (limit=100, {count} sequential requests each):")
    worst = 0.0
    for title, tags in TAG_QUERIES.items():
        latencies = []
        cpu_before = cpu_seconds(pid)
        for _ in range(count):
            started = time.perf_counter()
            response = await client.get(
                "/api/v1/monitoring/events", params={"tags": tags, "limit": 100}, headers=headers
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        rows = len(response.json()["data"])
        p99 = percentile(latencies, 0.99) * 1e3
        worst = max(worst, p99)
        if report:
            print(
                f"  {title:<24} rows {rows:>3}  p50 {percentile(latencies, 0.5) * 1e3:6.1f} ms  "
                f"p99 {p99:6.1f} ms" + cpu_note(pid, cpu_before, count)
            )
    met = worst < READ_P99_TARGET_MS
    if report:
        print(f"tag reads: worst p99 {worst:.1f} ms; target < {READ_P99_TARGET_MS:g} ms: "
              f"{'met' if met else 'MISSED'}")  # fmt: skip
    return met


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events loaded for reads")
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5, help="length of one ingest round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--batch-concurrency", type=int, default=4)
    parser.add_argument(
        "--synchronous-commit",
        choices=("on", "off"),
        default="on",
        help="the bench database's synchronous_commit (printed with the results)",
    )
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


async def main() -> int:
    args = arguments()
    settings = load_settings()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    url = await fresh_database(settings, args.events, args.synchronous_commit == "on")
    if args.explain:
        await explain(url)
    ports = free_port(), free_port()
    servers = [
        start_server(url, ports[0]),
        start_server(url, ports[1], ingest_synchronous_commit=False),
    ]
    durable = Server("INGEST_SYNCHRONOUS_COMMIT=true (default)", ports[0], servers[0].pid)
    relaxed = Server("INGEST_SYNCHRONOUS_COMMIT=false", ports[1], servers[1].pid)
    base = f"http://127.0.0.1:{durable.port}"
    try:
        await wait_ready(base)
        await wait_ready(f"http://127.0.0.1:{relaxed.port}")
        limits = httpx.Limits(max_connections=args.concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            headers = await login(client)
            await reads(client, headers, 20, pid=durable.pid, report=False)  # warm up
            reads_ok = await reads(client, headers, args.reads, pid=durable.pid)
        ingest_ok = await ingest(durable, relaxed, headers, args)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    if not args.keep:
        admin = await asyncpg.connect(db.with_database(url, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        finally:
            await admin.close()
    return 0 if reads_ok and ingest_ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
