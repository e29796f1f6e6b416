"""Server processes: `starter server --workers 1` against `--workers 2`, in one run.

    .venv/bin/python bench/processes.py [--seconds 10] [--rounds 5] [--connections 32] [--pgbouncer]

Protocol: bench/http.py's (its scratch database, seed, admin login and load generator), with
both servers built from this checkout and differing only in `--workers`: one process on port
3130, two on 3131 (uvicorn's workers sharing one listening socket). GET /api/v1/auth/me (the
principal cache, no query) and GET /api/v1/tasks?limit=20 (one list query, 20 rows) take
turns on both in `--rounds` interleaved slices, after a 1 s warm-up each. Server CPU is the
sum over each server's processes (the supervisor and its workers). `--pgbouncer` adds a third
server, one process whose pool goes through a real PgBouncer in transaction mode (Debian's, as
in tests/scale; statement cache 0, LISTEN direct), on port 3132. No target but no failed
request: what a second process buys depends on the cores the machine has left after the load
generator and PostgreSQL, which the script prints.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# Like bench/http.py: this folder goes last on the path, so `import http` is the stdlib's.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != HERE] + [str(HERE)]

from benchlib import cpu_seconds, recreate_database  # noqa: E402
from loadgen import Phase, combine, measure  # noqa: E402
from starter.core.db import database_name  # noqa: E402

# bench/http.py shares its name with the stdlib package: load it under another.
_spec = importlib.util.spec_from_file_location("bench_http", HERE / "http.py")
assert _spec is not None and _spec.loader is not None
bench_http = importlib.util.module_from_spec(_spec)
sys.modules["bench_http"] = bench_http
_spec.loader.exec_module(bench_http)

BENCH_DB = "starter_bench_processes"
PORTS = {1: 3130, 2: 3131}
PGBOUNCER_PORT = 3132
PLAN = ("/api/v1/auth/me", "/api/v1/tasks?limit=20")


def start(build: bench_http.Build, url: str, workers: int, **env: str) -> None:
    build.log.parent.mkdir(parents=True, exist_ok=True)
    with build.log.open("wb") as sink:
        build.process = subprocess.Popen(
            [build.starter, "server", "--port", str(build.port), "--host", "127.0.0.1",
             "--workers", str(workers)],
            env=bench_http.server_env(url) | env, stdout=sink, stderr=sink, cwd=build.root,
        )  # fmt: skip


def pooled_server(url: str, logs: Path) -> tuple[bench_http.Build, Any] | None:
    """One server process whose pool goes through a PgBouncer started here (None without
    pgbouncer installed)."""
    sys.path.insert(0, str(bench_http.ROOT))
    from tests.scale.pgbouncer import PGBOUNCER, PgBouncer

    if not Path(PGBOUNCER).is_file():
        print("note: pgbouncer is not installed (`make pgbouncer`): no server behind it")
        return None

    bouncer = PgBouncer(url)
    bouncer.start()
    build = bench_http.Build("1 bouncer", bench_http.ROOT, PGBOUNCER_PORT, logs / "bench-pgb.log")
    start(
        build,
        bouncer.url(database_name(url)),
        1,
        STARTER__DATABASE__LISTEN_URL=url,
        STARTER__DATABASE__STATEMENT_CACHE_SIZE="0",
    )
    return build, bouncer


def tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its children (uvicorn's worker processes)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return sum(cpu_seconds(p) or 0.0 for p in (pid, *kids))


async def one_slice(build: bench_http.Build, path: str, seconds: float, conns: int) -> Phase:
    assert build.process is not None
    pid = build.process.pid
    before = tree_cpu(pid)
    phase = await measure(build.name, build.port, path, build.headers, seconds, conns, pid)
    # measure() counts only the supervisor's CPU; charge the whole tree (warm-up included,
    # spread over the measured requests at the warm-up's share of the wall time).
    phase.server_cpu = (tree_cpu(pid) - before) / (phase.wall + 1.0)
    return phase


def report(phases: dict[tuple[str, str], Phase], builds: list[bench_http.Build]) -> bool:
    print(f"\n{'endpoint':<22} {'processes':<9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>8} "
          f"{'errors':>6} {'CPU ms/req':>10} {'vs 1':>6}")  # fmt: skip
    failed = 0
    for path in PLAN:
        one = phases[(path, builds[0].name)].rps
        for build in builds:
            phase = phases[(path, build.name)]
            failed += phase.errors
            print(
                f"GET {path.removeprefix('/api/v1'):<18} {build.name:<9} {phase.rps:>7.0f} "
                f"{phase.p50_ms:>7.2f} {phase.p99_ms:>8.2f} {phase.errors:>6} "
                f"{phase.cpu_ms_per_request:>10.3f} {phase.rps / one if one else 0:>6.0%}"
            )
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"{phases[(PLAN[0], builds[0].name)].tool}; PostgreSQL on the same machine")  # fmt: skip
    print("no failed request" if not failed else f"MISSED: {failed} failed requests")
    return not failed


async def run(url: str, seconds: float, rounds: int, connections: int, pgbouncer: bool) -> bool:
    logs = bench_http.ROOT / ".starter"
    builds = [
        bench_http.Build(str(n), bench_http.ROOT, port, logs / f"bench-processes-{n}.log")
        for n, port in PORTS.items()
    ]
    bouncer = None
    try:
        for build, workers in zip(builds, PORTS, strict=True):
            start(build, url, workers)
        pooled = pooled_server(url, logs) if pgbouncer else None
        if pooled is not None:
            builds.append(pooled[0])
            bouncer = pooled[1]
        for build in builds:
            await bench_http.wait_live(build)
        await bench_http.seed(url, builds[0])
        for build in builds:
            await bench_http.log_in(build)
        slice_seconds = max(1.0, round(seconds / rounds))
        slices: dict[tuple[str, str], list[Phase]] = {}
        for number in range(1, rounds + 1):
            print(f"round {number}/{rounds}: {slice_seconds:.0f} s per endpoint and server",
                  flush=True)  # fmt: skip
            for path in PLAN:
                for build in builds if number % 2 else builds[::-1]:
                    phase = await one_slice(build, path, slice_seconds, connections)
                    slices.setdefault((path, build.name), []).append(phase)
        return report({key: combine(parts) for key, parts in slices.items()}, builds)
    finally:
        for build in builds:
            bench_http.stop_server(build)
        if bouncer is not None:
            bouncer.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured s per phase")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved slices")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--pgbouncer", action="store_true", help="add a server behind PgBouncer")
    args = parser.parse_args()
    url = await recreate_database(BENCH_DB)
    print(f"database {BENCH_DB}; --workers 1 on :{PORTS[1]}, --workers 2 on :{PORTS[2]}"
          + (f", --workers 1 through PgBouncer on :{PGBOUNCER_PORT}" if args.pgbouncer else ""))  # fmt: skip
    ok = await run(url, args.seconds, args.rounds, args.connections, args.pgbouncer)
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    sys.exit(asyncio.run(main()))
