"""HTTP benchmark: this build against a build before it, real servers over real sockets, in one run.

    .venv/bin/python bench/http.py [--before main] [--seconds 10] [--rounds 5] [--connections 16]

Protocol (bench/README.md has the full text): a scratch database `starter_bench_http` is
(re)created on STARTER__DATABASE__URL's server (or the embedded one). Two `starter server
--workers 1` processes share it: this checkout's and the `--before` commit's (a git worktree
with its own venv under .starter/bench-before/, made on first use). Both run with the access
log off. An admin is created, logs in to each server, and 60 users, 60 tasks and 60 events are
seeded. Then every endpoint takes turns on both builds: in each of `--rounds` rounds each
(endpoint, build) pair gets a 1 s warm-up and a `--seconds / --rounds` measured slice from a
keep-alive load generator (wrk when on PATH, else the asyncio client below), the builds'
order alternating between rounds, so drift on a shared machine hits all alike. We print
requests/s, latency, server CPU per request, the ratio to the trivial endpoint
(GET /api/v1/health/live) of the same build and the ratio to the build before.

Targets (exit 1 when one is missed): every 20-row list >= 50 % of the trivial endpoint's rate;
/auth/me and /users?limit=20 >= 85 % of the build before's; no failed request.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py is named like the stdlib `http` package: this folder goes last on the path
# (so `import http` is the stdlib) but stays importable for `benchlib` and `loadgen`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from benchlib import load_average, recreate_database, server_settings  # noqa: E402
from loadgen import Phase, combine, measure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "starter_bench_http"
ADMIN = {"username": "bench_admin", "email": "bench_admin@example.com", "password": "B3nch!Mark#42"}
SEED_ROWS = 60
LIST_TARGET = 0.50  # of the trivial endpoint, same build
KEPT_TARGET = 0.85  # of the build before, same endpoint
PORTS = (3120, 3121)  # this build, the build before
LIVE = "/api/v1/health/live"
KEPT = ("/api/v1/auth/me", "/api/v1/users?limit=20")
LISTS = ("/api/v1/users?limit=20", "/api/v1/tasks?limit=20", "/api/v1/monitoring/events?limit=20")
PLAN = (LIVE, "/api/v1/auth/me", *LISTS)


@dataclass
class Build:
    name: str
    root: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def starter(self) -> str:
        return str(self.root / ".venv" / "bin" / "starter")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# --- the build before ----------------------------------------------------------------------


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def prepare_before(ref: str) -> Path:
    """A worktree of `ref` with its own venv (made once per commit, kept for the next run)."""
    commit = _git("rev-parse", "--short", f"{ref}^{{commit}}")
    checkout = ROOT / ".starter" / "bench-before" / commit
    starter = checkout / ".venv" / "bin" / "starter"
    if starter.exists():
        return checkout
    if not checkout.exists():
        _git("worktree", "add", "--detach", str(checkout), commit)
    print(f"installing the build before ({commit}) into {checkout}/.venv …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(checkout / ".venv")], check=True)
    subprocess.run(
        [str(checkout / ".venv" / "bin" / "pip"), "install", "--quiet", "-e", str(checkout)],
        check=True,
    )
    return checkout


# --- database and servers ------------------------------------------------------------------


def server_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARTER__")}
    env.update(
        {
            "STARTER__DATABASE__URL": url,
            "STARTER__SERVER__ACCESS_LOG": "false",
            "STARTER__LOG_LEVEL": "warning",
            "STARTER__ENVIRONMENT": "production",
        }
    )
    return env


def start_server(build: Build, url: str) -> None:
    build.log.parent.mkdir(parents=True, exist_ok=True)
    with build.log.open("wb") as sink:
        build.process = subprocess.Popen(
            [build.starter, "server", "--port", str(build.port), "--host", "127.0.0.1",
             "--workers", "1"],
            env=server_env(url), stdout=sink, stderr=sink, cwd=build.root,
        )  # fmt: skip


async def wait_live(build: Build) -> None:
    assert build.process is not None
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if build.process.poll() is not None:
                sys.exit(f"{build.name} exited with {build.process.returncode}:\n"
                         f"{build.log.read_text(errors='replace')}")  # fmt: skip
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(build.base + LIVE)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    sys.exit(f"{build.name} did not become live:\n{build.log.read_text(errors='replace')}")


def stop_server(build: Build) -> None:
    if build.process is None or build.process.poll() is not None:
        return
    build.process.send_signal(signal.SIGTERM)
    try:
        build.process.wait(30)
    except subprocess.TimeoutExpired:
        build.process.kill()


async def seed(url: str, build: Build) -> None:
    """The admin (CLI), users, tasks and events (SQL): enough rows for every 20-row page."""
    await asyncio.to_thread(
        subprocess.run,
        [build.starter, "admin", "create-admin", "--username", ADMIN["username"], "--email",
         ADMIN["email"], "--password", ADMIN["password"]],
        env=server_env(url), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        admin_id, password_hash = await conn.fetchrow(
            "SELECT id, password_hash FROM users WHERE username = $1", ADMIN["username"]
        )
        rows = range(SEED_ROWS)
        await conn.executemany(
            "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3)",
            [(f"seed_{n}", f"seed_{n}@example.com", password_hash) for n in rows],
        )
        await conn.execute(
            "INSERT INTO task_types (task_type) VALUES ('bench') ON CONFLICT DO NOTHING"
        )
        await conn.executemany(
            """INSERT INTO tasks (task_type, payload, metadata, created_by)
               VALUES ('bench', $1::jsonb, $2::jsonb, $3)""",
            [(f'{{"to": "user{n}@example.com", "subject": "Report {n}"}}', '{"tag": "bench"}',
              admin_id) for n in rows],
        )  # fmt: skip
        await conn.executemany(
            """INSERT INTO events (event_type, source, message, level, tags, payload)
               VALUES ('log', 'bench', $1, 'info', '{"env": "bench"}', $2::jsonb)""",
            [(f"request {n} served", f'{{"n": {n}}}') for n in rows],
        )
    finally:
        await conn.close()


async def log_in(build: Build) -> None:
    async with httpx.AsyncClient(base_url=build.base, timeout=30) as http:
        login = await http.post(
            "/api/v1/auth/login",
            json={"username": ADMIN["username"], "password": ADMIN["password"]},
        )
        login.raise_for_status()
        build.headers = {"Authorization": f"Bearer {login.json()['data']['session_token']}"}


# --- the run -------------------------------------------------------------------------------


def report(phases: dict[tuple[str, str], Phase], builds: list[Build], rounds: int) -> bool:
    new, before = builds[0].name, builds[1].name
    print(
        f"\n{'endpoint':<40} {'build':<7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>8} {'errors':>6} "
        f"{'CPU ms/req':>10} {'vs live':>8} {'vs before':>9}"
    )
    misses: list[str] = []
    for path in PLAN:
        for build in builds:
            phase = phases[(path, build.name)]
            live = phases[(LIVE, build.name)].rps
            vs_live = phase.rps / live if live else 0.0
            former = phases[(path, before)].rps
            vs_before = phase.rps / former if former else 0.0
            shown = f"{vs_before:>9.0%}" if build.name == new else f"{'':>9}"
            print(
                f"GET {path.removeprefix('/api/v1'):<36} {build.name:<7} {phase.rps:>7.0f} "
                f"{phase.p50_ms:>7.2f} {phase.p99_ms:>8.2f} {phase.errors:>6} "
                f"{phase.cpu_ms_per_request:>10.3f} {vs_live:>8.0%} {shown}"
            )
            if phase.errors:
                misses.append(f"{path} ({build.name}): {phase.errors} failed requests")
            if build.name == new and path in LISTS and vs_live < LIST_TARGET:
                misses.append(f"{path}: {vs_live:.0%} of live < {LIST_TARGET:.0%}")
            if build.name == new and path in KEPT and vs_before < KEPT_TARGET:
                misses.append(f"{path}: {vs_before:.0%} of before < {KEPT_TARGET:.0%}")
    tool = phases[(LIVE, new)].tool
    print(f"\nload generator: {tool}; {phases[(LIVE, new)].seconds:.0f} s per endpoint and build "
          f"in {rounds} interleaved slices, each after a 1 s warm-up")  # fmt: skip
    print(f"targets: 20-row lists >= {LIST_TARGET:.0%} of live; /auth/me and /users >= "
          f"{KEPT_TARGET:.0%} of before; no failed request")  # fmt: skip
    for miss in misses:
        print(f"  MISSED {miss}")
    print("targets met" if not misses else f"{len(misses)} target(s) missed")
    return not misses


async def run(builds: list[Build], url: str, seconds: float, rounds: int, connections: int) -> bool:
    for build in builds:
        start_server(build, url)
    for build in builds:
        await wait_live(build)
    await seed(url, builds[0])
    for build in builds:
        await log_in(build)
    slice_seconds = max(1.0, round(seconds / rounds))
    slices: dict[tuple[str, str], list[Phase]] = {}
    for round_number in range(1, rounds + 1):
        print(f"round {round_number}/{rounds}: {slice_seconds:.0f} s per endpoint and build",
              flush=True)  # fmt: skip
        order = builds if round_number % 2 else builds[::-1]
        for path in PLAN:
            for build in order:
                assert build.process is not None
                headers = {} if path == LIVE else build.headers
                phase = await measure(
                    f"{path} {build.name}", build.port, path, headers, slice_seconds, connections,
                    build.process.pid,
                )  # fmt: skip
                slices.setdefault((path, build.name), []).append(phase)
    return report({key: combine(parts) for key, parts in slices.items()}, builds, rounds)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--before", default="main", help="git ref of the build to compare with")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per endpoint and build"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved slices (drift hits every phase alike)"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    args = parser.parse_args()

    before_root = await asyncio.to_thread(prepare_before, args.before)
    logs = ROOT / ".starter"
    builds = [
        Build("new", ROOT, PORTS[0], logs / "bench-http-new.log"),
        Build("before", before_root, PORTS[1], logs / "bench-http-before.log"),
    ]
    url = await recreate_database(BENCH_DB)
    print(f"database {BENCH_DB}; this build on :{PORTS[0]}, {args.before} "
          f"({before_root.name}) on :{PORTS[1]}; access log off")  # fmt: skip
    print(f"load generator: {'wrk' if shutil.which('wrk') else 'asyncio client'}")
    print(await server_settings(url))
    print(f"start: {load_average()}", flush=True)
    try:
        ok = await run(builds, url, args.seconds, args.rounds, args.connections)
    finally:
        for build in builds:
            stop_server(build)
    print(f"end: {load_average()}")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    sys.exit(asyncio.run(main()))
