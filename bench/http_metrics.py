"""Cost of the HTTP metrics middleware (per-route counters and latency histograms).

    .venv/bin/python bench/http_metrics.py [--requests 1000] [--rounds 15]

Protocol: (1) the middleware alone, around an ASGI app that answers at once: the difference
in time per request with and without it; (2) the real app (`create_app`) called directly over
ASGI (no network, no client) on GET /api/v1/health/live with STARTER__MONITORING__HTTP_METRICS
on and off, alternating short rounds, best round of each (the least disturbed by other load).
The trivial endpoint is the worst case: on any endpoint that does real work, and behind a real
server and network, the middleware's share is smaller. Target: < 10 % of throughput.
Database (only for the app's start-up): STARTER__DATABASE__URL's server or the embedded one.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py and bench/http.py shadow stdlib modules: keep this folder off the import path.
_HERE = Path(__file__).resolve().parent
# bench/http.py is named like the stdlib `http` package: this folder goes last on the path
# (so `import http` is the stdlib) but stays importable for `benchlib`.
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from benchlib import load_average, server_settings  # noqa: E402
from starter.core import db  # noqa: E402
from starter.core.config import load_settings  # noqa: E402
from starter.core.migrate import migrate_up  # noqa: E402

BENCH_DB = "starter_bench_http_metrics"
# The middleware may cost at most this share of the trivial endpoint's throughput.
COST_TARGET = 0.10


async def asgi_rate(app: Any, requests: int) -> float:
    """Requests per second of the app itself (direct ASGI calls, no network)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/health/live",
        "raw_path": b"/api/v1/health/live",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    return requests / (time.perf_counter() - started)


async def bare_middleware_cost(requests: int = 50_000) -> float:
    """Seconds the middleware adds per request around an app that does nothing."""
    from starter.observability.http_metrics import HttpMetricsMiddleware

    class Route:
        path = "/api/v1/monitoring/events/{id}"

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        scope["route"] = Route
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        return None

    wrapped = HttpMetricsMiddleware(bare)
    scope = {"type": "http", "method": "GET", "path": "/api/v1/monitoring/events/1"}
    timings = {}
    for name, app in (("bare", bare), ("wrapped", wrapped)):
        started = time.perf_counter()
        for _ in range(requests):
            await app(dict(scope), receive, send)
        timings[name] = (time.perf_counter() - started) / requests
    return timings["wrapped"] - timings["bare"]


async def middleware_overhead(url: str, requests: int = 1000, rounds: int = 15) -> float:
    """Print the figures; return the middleware's share of the throughput (1 - on/off)."""
    from starter.app import create_app
    from starter.core.config import MonitoringSettings

    settings = load_settings(database={"url": url}, server={"access_log": False})
    apps = {}
    for enabled in (True, False):
        app = create_app(
            settings.model_copy(update={"monitoring": MonitoringSettings(http_metrics=enabled)})
        )
        apps[enabled] = app
    rates: dict[bool, list[float]] = {True: [], False: []}
    async with (
        apps[True].router.lifespan_context(apps[True]),
        apps[False].router.lifespan_context(apps[False]),
    ):
        for enabled in (True, False):
            await asgi_rate(apps[enabled], 300)  # warm up
        for _ in range(rounds):
            for enabled in (True, False):
                rates[enabled].append(await asgi_rate(apps[enabled], requests))
    on, off = max(rates[True]), max(rates[False])
    alone = await bare_middleware_cost()
    print(
        f"HTTP metrics middleware alone: {alone * 1e6:.1f} µs/request, i.e. "
        f"{alone * off * 100:.1f} % of the app's own time per request at {off:,.0f} req/s"
    )
    print(
        f"HTTP metrics middleware (direct ASGI, GET /health/live, best of {rounds} rounds): "
        f"off {off:,.0f} req/s, on {on:,.0f} req/s, cost {(1 - on / off) * 100:.1f} % "
        f"({(1 / on - 1 / off) * 1e6:.1f} µs/request)"
    )
    return 1 - on / off


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    url = db.with_database(db.resolve_database_url(load_settings().database), BENCH_DB)
    await db.ensure_database_exists(url)
    async with db.connect_once(url) as conn:
        await migrate_up(conn)
    print(await server_settings(url))
    print(load_average(), flush=True)
    cost = await middleware_overhead(url, args.requests, args.rounds)
    met = cost < COST_TARGET
    print(f"target cost < {COST_TARGET:.0%}: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
