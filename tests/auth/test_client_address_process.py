"""The per-address login limit behind real uvicorn (`starter server`): a forged X-Forwarded-For
is ignored unless the peer is a configured trusted proxy (STARTER__SERVER__TRUSTED_PROXIES)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import STARTER, cli_env, free_port
from tests.support.paths import ROOT

STARTUP_TIMEOUT_SECS = 90
WRONG = "WrongPassword1!"

Server = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Server:
    @asynccontextmanager
    async def start(**env: str) -> AsyncIterator[httpx.AsyncClient]:
        port = free_port()
        log = tmp_path / f"server-{port}.log"
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                STARTER,
                *("server", "--host", "127.0.0.1", "--port", str(port)),
                env=cli_env(database_url, STARTER__AUTH__LOGIN_MAX_FAILURES_PER_ADDRESS="3", **env),
                cwd=str(ROOT),
                stdout=sink,
                stderr=sink,
            )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                await _until_live(http, process, log)
                yield http
        finally:
            if process.returncode is None:
                process.terminate()
                await process.wait()

    return start


def _output(log: Path) -> str:
    return log.read_text(errors="replace")


async def _until_live(
    http: httpx.AsyncClient, process: asyncio.subprocess.Process, log: Path
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
    while time.monotonic() < deadline:
        if process.returncode is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{_output(log)}")
        try:
            if (await http.get("/api/v1/health/live")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    pytest.fail(f"server did not become live:\n{_output(log)}")


async def _fail_login(http: httpx.AsyncClient, name: str, forwarded_for: str) -> int:
    response = await http.post(
        "/api/v1/auth/login",
        json={"username": name, "password": WRONG},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


@pytest.mark.slow
async def test_forged_forwarded_for_does_not_reset_the_address_budget(server: Server) -> None:
    async with server() as http:
        statuses = [await _fail_login(http, f"spray_{n}", f"203.0.113.{n}") for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


@pytest.mark.slow
async def test_a_trusted_proxy_names_the_client(server: Server) -> None:
    async with server(STARTER__SERVER__TRUSTED_PROXIES="127.0.0.1, ::1") as http:
        first = [await _fail_login(http, f"first_{n}", "192.0.2.1") for n in range(4)]
        second = await _fail_login(http, "second", "192.0.2.2")
    assert first == [401, 401, 401, 429]
    assert second == 401
