"""Real `starter server` and `starter worker` processes on one database, and their clients.

Each process is a subprocess of the test with its own log file; servers are live once
`/health/live` answers (their principal-cache listener is up by then), workers once their row
in `workers` heartbeats. The worker's poll interval is long, so a task that runs quickly was
woken by its LISTEN connection, not found by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.cli.conftest import STARTER, cli_env, free_port
from tests.support.users import PASSWORD

# Six Python processes importing the app at once on a loaded 2-core machine took over 90 s.
STARTUP_TIMEOUT_SECS = 180
# Long enough that only a NOTIFY can explain a prompt claim.
WORKER_POLL_SECS = "30"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@dataclass
class Server(Process):
    base_url: str = ""


@dataclass
class Stack:
    """Processes sharing `env` (the database settings); stopped together."""

    root: Path
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    def _spawn(self, name: str, *args: str, **extra: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.root / f"{name}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                [STARTER, *args], env=self.env | extra, cwd=self.root, stdout=sink, stderr=sink
            )
        return popen, log

    def server(self, name: str, *, workers: int = 1) -> Server:
        port = free_port()
        popen, log = self._spawn(
            name, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)
        )
        server = Server(name, popen, log, base_url=f"http://127.0.0.1:{port}")
        self.processes.append(server)
        return server

    def worker(self, name: str, **worker: str) -> Process:
        settings = {f"STARTER__WORKER__{key.upper()}": value for key, value in worker.items()}
        popen, log = self._spawn(
            name,
            "worker",
            "--concurrency",
            "4",
            STARTER__WORKER__HEALTH_FILE=str(self.root / f"{name}-health.json"),
            **settings,
        )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def stack_env(pool_url: str, listen_url: str, **extra: str) -> dict[str, str]:
    return cli_env(
        pool_url,
        STARTER__DATABASE__LISTEN_URL=listen_url,
        STARTER__DATABASE__STATEMENT_CACHE_SIZE="0" if pool_url != listen_url else "100",
        STARTER__DATABASE__MIN_CONNECTIONS="1",
        STARTER__DATABASE__MAX_CONNECTIONS="4",
        STARTER__SERVER__ACCESS_LOG="false",
        STARTER__WORKER__POLL_INTERVAL_SECS=WORKER_POLL_SECS,
        STARTER__WORKER__HEARTBEAT_INTERVAL_SECS="0.5",
        STARTER__WORKER__SCHEDULER_TICK_SECS="0.2",
        **extra,
    )


@contextlib.contextmanager
def running_stack(root: Path, env: dict[str, str]) -> Iterator[Stack]:
    stack = Stack(root, env)
    try:
        yield stack
    except BaseException:
        print(stack.logs())
        raise
    finally:
        stack.stop()


async def wait_live(stack: Stack, *servers: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
    async with httpx.AsyncClient(timeout=2) as http:
        for server in servers:
            while True:
                if server.popen.poll() is not None:
                    pytest.fail(f"{server.name} exited:\n{stack.logs()}")
                with contextlib.suppress(httpx.TransportError):
                    live = await http.get(f"{server.base_url}/api/v1/health/live")
                    if live.status_code == 200:
                        break
                if time.monotonic() > deadline:
                    pytest.fail(f"{server.name} did not become live:\n{stack.logs()}")
                await asyncio.sleep(0.2)


async def wait_for(
    check: Callable[[], Awaitable[bool]], *, within: float, what: str, stack: Stack
) -> float:
    """Poll `check` until true; the seconds it took (fails with every log otherwise)."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            pytest.fail(f"{what}: not within {within}s\n{stack.logs()}")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def wait_workers(stack: Stack, conn: asyncpg.Connection, count: int) -> None:
    async def heartbeating() -> bool:
        alive: int = await conn.fetchval(
            "SELECT count(*) FROM workers WHERE stopped_at IS NULL"
            " AND heartbeat_at > now() - interval '5 seconds'"
        )
        return alive >= count

    await wait_for(heartbeating, within=STARTUP_TIMEOUT_SECS, what="workers up", stack=stack)


async def sign_up(http: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A new account and a session on it: (username, bearer headers)."""
    username = f"u{uuid.uuid4().hex[:12]}"
    credentials = {"username": username, "password": PASSWORD}
    registered = await http.post(
        "/api/v1/auth/register", json={**credentials, "email": f"{username}@example.com"}
    )
    assert registered.status_code == 200, registered.text
    return username, await sign_in(http, username)


async def sign_in(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    login = await http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    http.cookies.clear()  # the bearer token alone names the session
    return {"Authorization": f"Bearer {login.json()['data']['session_token']}"}


async def current_session(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    listed = await http.get("/api/v1/auth/sessions", headers=headers)
    assert listed.status_code == 200, listed.text
    (current,) = [s["id"] for s in listed.json()["data"] if s["current"]]
    return str(current)


async def create_task(http: httpx.AsyncClient, headers: dict[str, str], **payload: Any) -> str:
    body = {"task_type": "delay_task", "payload": {"delay_seconds": 0, **payload}}
    created = await http.post("/api/v1/tasks", json=body, headers=headers)
    assert created.status_code == 200, created.text
    return str(created.json()["data"]["id"])


async def wait_ready(stack: Stack, direct_url: str) -> None:
    """Every server of the stack live and every worker heartbeating."""
    servers = [p for p in stack.processes if isinstance(p, Server)]
    await wait_live(stack, *servers)
    conn = await asyncpg.connect(direct_url)
    try:
        await wait_workers(stack, conn, len(stack.processes) - len(servers))
    finally:
        await conn.close()
