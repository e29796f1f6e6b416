"""HTTP benchmark: one real `starter server` process, measured over real sockets, in one run.

    .venv/bin/python bench/http.py [--seconds 10] [--rounds 5] [--connections 16]

Protocol: a scratch database `starter_bench_http` is (re)created on STARTER__DATABASE__URL's
server (or the embedded one) and migrated by the server at start. The server runs as one
process (`starter server --workers 1`) with the access log off (STARTER__SERVER__ACCESS_LOG=
false: one stderr line per request would measure the terminal, not the API). An admin is
created with `starter admin create-admin`, logs in over HTTP, and 60 extra users are seeded.
The endpoints then take turns: in each of `--rounds` rounds every endpoint gets a 1 s warm-up
and a `--seconds / --rounds` measured slice from a keep-alive load generator (wrk when on PATH,
else the asyncio client below with N connections), so drift on a shared machine hits all of
them alike. We print requests/s, p50 (median of the slices) and p99 (worst slice) latency,
server CPU per request and the ratio of requests/s to the trivial endpoint
(GET /api/v1/health/live). Target: authenticated reads >= 40 % of the trivial endpoint.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib `http` package: keep its folder off the import path.
_HERE = Path(__file__).resolve().parent
# bench/http.py is named like the stdlib `http` package: this folder goes last on the path
# (so `import http` is the stdlib) but stays importable for `benchlib`.
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from benchlib import cpu_seconds, free_port, recreate_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STARTER = str(ROOT / ".venv" / "bin" / "starter")
BENCH_DB = "starter_bench_http"
ADMIN = {"username": "bench_admin", "email": "bench_admin@example.com", "password": "B3nch!Mark#42"}
SEED_USERS = 60
TARGET_RATIO = 0.40
WARM_UP_SECONDS = 1.0


@dataclass
class Phase:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    tool: str
    server_cpu: float = 0.0  # share of one core used by the server process during the phase
    wall: float = 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU per request: steadier than req/s when other work shares the machine."""
        return self.server_cpu * self.wall * 1000 / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combine(slices: list[Phase]) -> Phase:
    """One endpoint's slices as one phase: counts and times add up; p50 is the slices' median
    and p99 the worst slice's (conservative)."""
    first = slices[0]
    wall = sum(part.wall for part in slices)
    busy = sum(part.server_cpu * part.wall for part in slices)
    return Phase(
        first.name, first.path,
        sum(part.requests for part in slices), sum(part.errors for part in slices),
        sum(part.seconds for part in slices),
        statistics.median(part.p50_ms for part in slices), max(part.p99_ms for part in slices),
        first.tool, busy / wall if wall else 0.0, wall,
    )  # fmt: skip


# --- database and server -------------------------------------------------------------------


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


def _output(log: Path) -> str:
    return log.read_text(errors="replace")


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        return subprocess.Popen(
            [STARTER, "server", "--port", str(port), "--host", "127.0.0.1", "--workers", "1"],
            env=server_env(url), stdout=sink, stderr=sink,
        )  # fmt: skip


async def wait_live(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                sys.exit(f"server exited with {process.returncode}:\n{_output(log)}")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(f"{base}/api/v1/health/live")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    sys.exit(f"server did not become live:\n{_output(log)}")


async def seed(url: str, base: str) -> str:
    """Create the admin (CLI), seed users (SQL), log in (HTTP); return the session token."""
    await asyncio.to_thread(
        subprocess.run,
        [STARTER, "admin", "create-admin", "--username", ADMIN["username"], "--email",
         ADMIN["email"], "--password", ADMIN["password"]],
        env=server_env(url), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        password_hash = await conn.fetchval(
            "SELECT password_hash FROM users WHERE username = $1", ADMIN["username"]
        )
        await conn.executemany(
            "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3)",
            [(f"seed_{n}", f"seed_{n}@example.com", password_hash) for n in range(SEED_USERS)],
        )
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        login = await http.post(
            "/api/v1/auth/login",
            json={"username": ADMIN["username"], "password": ADMIN["password"]},
        )
        login.raise_for_status()
        token: str = login.json()["data"]["session_token"]
    return token


# --- load generation -----------------------------------------------------------------------


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    if match:
        await reader.readexactly(int(match.group(1)))
    else:  # chunked
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _connection(
    host: str, port: int, request: bytes, stop_at: float, record_from: float,
    latencies: list[float], errors: list[int],
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while (started := time.perf_counter()) < stop_at:
            writer.write(request)
            status = await _read_response(reader)
            if started >= record_from:
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors.append(status)
    finally:
        writer.close()


async def python_load(
    name: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int
) -> Phase:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    errors: list[int] = []
    record_from = time.perf_counter()
    stop_at = record_from + seconds
    await asyncio.gather(
        *(
            _connection("127.0.0.1", port, request, stop_at, record_from, latencies, errors)
            for _ in range(connections)
        )
    )
    latencies.sort()
    return Phase(
        name, path, len(latencies), len(errors), seconds,
        _percentile(latencies, 0.5) * 1000, _percentile(latencies, 0.99) * 1000,
        f"asyncio client, {connections} connections",
    )  # fmt: skip


def wrk_load(
    name: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int
) -> Phase:
    header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    url = f"http://127.0.0.1:{port}{path}"
    out = subprocess.run(
        ["wrk", "-t2", "-c", str(connections), f"-d{int(seconds)}s", "--latency", *header_args, url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip

    def latency(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return 0.0
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        return float(match.group(1)) * scale

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Phase(
        name, path, total, int(non_2xx.group(1)) if non_2xx else 0, seconds,
        latency("50"), latency("99"), f"wrk, {connections} connections",
    )  # fmt: skip


def python_load_in_thread(
    name: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int
) -> Phase:
    """The asyncio client on its own event loop, so both generators run the same way."""
    return asyncio.run(python_load(name, port, path, headers, seconds, connections))


async def measure(
    name: str,
    port: int,
    path: str,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    server_pid: int,
) -> Phase:
    load = wrk_load if shutil.which("wrk") else python_load_in_thread
    await asyncio.to_thread(load, name, port, path, headers, WARM_UP_SECONDS, connections)
    cpu_before, wall_before = (cpu_seconds(server_pid) or 0.0), time.perf_counter()
    phase = await asyncio.to_thread(load, name, port, path, headers, seconds, connections)
    wall = time.perf_counter() - wall_before
    phase.server_cpu = ((cpu_seconds(server_pid) or 0.0) - cpu_before) / wall if wall else 0.0
    phase.wall = wall
    return phase


# --- the run -------------------------------------------------------------------------------


def start_profiler(
    pid: int, index: int, round_number: int, seconds: float
) -> subprocess.Popen[bytes] | None:
    """py-spy (a dev dependency) samples the server; collapsed stacks, one file per phase."""
    py_spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    if not Path(py_spy).exists():
        print("py-spy not found: install the dev dependencies to profile")
        return None
    target = ROOT / ".starter" / f"bench-http-{index}-{round_number}.txt"
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(target),
         "--duration", str(int(seconds)), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def report(phases: list[Phase], rounds: int) -> bool:
    baseline = phases[0].rps
    print(
        f"\n{'endpoint':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'vs live':>8} {'server CPU':>11} {'CPU ms/req':>11}"
    )
    for phase in phases:
        ratio = phase.rps / baseline if baseline else 0.0
        print(
            f"{phase.name:<34} {phase.rps:>9.0f} {phase.p50_ms:>8.2f} {phase.p99_ms:>8.2f} "
            f"{phase.errors:>7} {ratio:>8.0%} {phase.server_cpu:>11.0%} "
            f"{phase.cpu_ms_per_request:>11.3f}"
        )
    ok = all(phase.rps / baseline >= TARGET_RATIO for phase in phases[1:]) and not any(
        phase.errors for phase in phases
    )
    verdict = "met" if ok else "NOT met"
    print(f"\ntarget (authenticated reads >= {TARGET_RATIO:.0%} of live, no errors): {verdict}")
    print(
        f"load generator: {phases[0].tool}; {phases[0].seconds:.0f} s per endpoint in "
        f"{rounds} interleaved slices, each after a 1 s warm-up"
    )
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per endpoint, in all"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="the endpoints take turns this many times (drift on a shared machine hits all alike)",
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="record the server with py-spy (.starter/bench-http-<endpoint>-<round>.txt)",
    )
    args = parser.parse_args()

    url = await recreate_database(BENCH_DB)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = ROOT / ".starter" / "bench-http-server.log"
    print(f"server: `starter server --workers 1` on {base}, database {BENCH_DB}")
    print("settings: STARTER__SERVER__ACCESS_LOG=false, STARTER__LOG_LEVEL=warning")
    process = start_server(url, port, log)
    try:
        await wait_live(base, process, log)
        token = await seed(url, base)
        auth = {"Authorization": f"Bearer {token}"}
        plan = [
            ("GET /api/v1/health/live", "/api/v1/health/live", {}),
            ("GET /api/v1/auth/me", "/api/v1/auth/me", auth),
            ("GET /api/v1/users?limit=20 (admin)", "/api/v1/users?limit=20", auth),
        ]
        slice_seconds = max(1.0, round(args.seconds / args.rounds))
        slices: list[list[Phase]] = [[] for _ in plan]
        for round_number in range(1, args.rounds + 1):
            print(
                f"round {round_number}/{args.rounds}: {slice_seconds:.0f} s per endpoint",
                flush=True,
            )
            for index, (name, path, headers) in enumerate(plan):
                profiler = (
                    start_profiler(process.pid, index, round_number, slice_seconds)
                    if args.profile
                    else None
                )
                slices[index].append(
                    await measure(
                        name, port, path, headers, slice_seconds, args.connections, process.pid
                    )
                )
                if profiler is not None:
                    profiler.wait(60)
        phases = [combine(parts) for parts in slices]
        ok = report(phases, args.rounds)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    sys.exit(asyncio.run(main()))
