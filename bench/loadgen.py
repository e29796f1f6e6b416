"""Load generation for bench/http.py: wrk when on PATH, else a raw-HTTP asyncio client."""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchlib import cpu_seconds

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
    name: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int,
    body: bytes | None = None,
) -> Phase:  # fmt: skip
    method = "GET" if body is None else "POST"
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
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


def _wrk_post_script(body: bytes) -> str:
    """A wrk Lua script that POSTs `body` as JSON (a file wrk reads; the caller deletes it)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [==[{body.decode()}]==]\n"
        )
    return script.name


def wrk_load(
    name: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int,
    body: bytes | None = None,
) -> Phase:  # fmt: skip
    header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    script = [] if body is None else ["-s", _wrk_post_script(body)]
    url = f"http://127.0.0.1:{port}{path}"
    try:
        out = subprocess.run(
            ["wrk", "-t2", "-c", str(connections), f"-d{int(seconds)}s", "--latency",
             *script, *header_args, url],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        if script:
            Path(script[1]).unlink()

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
    name: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int,
    body: bytes | None = None,
) -> Phase:  # fmt: skip
    """The asyncio client on its own event loop, so both generators run the same way."""
    return asyncio.run(python_load(name, port, path, headers, seconds, connections, body))


async def measure(
    name: str,
    port: int,
    path: str,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    server_pid: int,
    body: bytes | None = None,
) -> Phase:
    """GET `path`, or POST `body` (JSON) to it, from `connections` connections."""
    load = wrk_load if shutil.which("wrk") else python_load_in_thread
    await asyncio.to_thread(load, name, port, path, headers, WARM_UP_SECONDS, connections, body)
    cpu_before, wall_before = (cpu_seconds(server_pid) or 0.0), time.perf_counter()
    phase = await asyncio.to_thread(load, name, port, path, headers, seconds, connections, body)
    wall = time.perf_counter() - wall_before
    phase.server_cpu = ((cpu_seconds(server_pid) or 0.0) - cpu_before) / wall if wall else 0.0
    phase.wall = wall
    return phase
