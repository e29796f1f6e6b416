"""`starter server` as a real process: it migrates, serves over real HTTP and stops cleanly."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import STARTER, cli_env, free_port
from tests.support.paths import ROOT
from tests.support.users import PASSWORD

STARTUP_TIMEOUT_SECS = 90


def _output(log: Path) -> str:
    return log.read_text(errors="replace")


async def _wait_until_live(base: str, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{_output(log)}")
            try:
                if (await http.get(f"{base}/api/v1/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    pytest.fail(f"server did not become live:\n{_output(log)}")


@pytest.fixture
async def server(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process, Path]]:
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            STARTER,
            "server",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            env=cli_env(database_url, STARTER__LOG_LEVEL="info"),
            cwd=str(ROOT),
            stdout=sink,
            stderr=sink,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_live(base, process, log)
        yield base, process, log
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.slow
async def test_real_server_serves_and_stops_cleanly(
    server: tuple[str, asyncio.subprocess.Process, Path],
) -> None:
    base, process, log = server
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        credentials = {"username": "proc_user", "password": PASSWORD}
        register = await http.post(
            "/api/v1/auth/register", json={**credentials, "email": "proc@example.com"}
        )
        assert register.status_code == 200, register.text
        login = await http.post("/api/v1/auth/login", json=credentials)
        assert login.status_code == 200, login.text
        assert login.text.startswith('{"success":true,')
        token = login.json()["data"]["session_token"]
        http.cookies.clear()
        me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["data"]["username"] == "proc_user"
        assert me.headers["x-frame-options"] == "DENY"
        assert me.headers["x-request-id"] != login.headers["x-request-id"]

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(48):  # 3 MiB, no Content-Length
                yield b" " * 65536

        too_big = await http.post(
            "/api/v1/auth/register", content=chunks(), headers={"content-type": "application/json"}
        )
        assert too_big.status_code == 413
        assert too_big.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
        assert (await http.get("/api-docs")).status_code == 200

    process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(process.wait(), 30)
    output = _output(log)
    # uvicorn re-raises SIGTERM after a graceful shutdown, so supervisors see the signal.
    assert code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output, output
    assert "Traceback" not in output, output
