"""Run the real `starter` executable against the per-test database."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from tests.support.database import temporary_database
from tests.support.paths import ROOT

STARTER = str(ROOT / ".venv" / "bin" / "starter")
COMMAND_TIMEOUT_SECS = 120


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def cli_env(database_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARTER__")}
    env.update({"STARTER__LOG_LEVEL": "warning", "NO_COLOR": "1", "COLUMNS": "200"})
    if database_url is not None:
        env["STARTER__DATABASE__URL"] = database_url
    env.update(extra)
    return env


async def run_starter(*args: str, env: dict[str, str], stdin: bytes | None = None) -> Result:
    process = await asyncio.create_subprocess_exec(
        STARTER,
        *args,
        env=env,
        cwd=str(ROOT),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), COMMAND_TIMEOUT_SECS)
    assert process.returncode is not None
    return Result(process.returncode, out.decode(), err.decode())


Starter = Callable[..., Awaitable[Result]]


@pytest.fixture
def starter(database_url: str) -> Starter:
    """`await starter("migrate", "status")` runs the CLI against this test's database."""

    async def invoke(*args: str, stdin: bytes | None = None, **extra_env: str) -> Result:
        return await run_starter(*args, env=cli_env(database_url, **extra_env), stdin=stdin)

    return invoke


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/nowhere"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def empty_database_url(pg_server: tuple[str, str]) -> AsyncIterator[str]:
    """A database with no migrations applied, dropped afterwards."""
    async with temporary_database(pg_server[0]) as url:
        yield url
