"""What a newcomer meets on the first `starter dev` / `starter server`: the banner, the local
admin, one-line answers to a busy port or a misspelled variable, `--version`, one log format,
a health check that starts nothing, and an embedded PostgreSQL that stops with its last user.
Every check runs the real executable and reads what it prints."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.cli.conftest import (
    STARTER,
    Result,
    cli_env,
    closed_port_url,
    free_port,
    run_starter,
)
from tests.cli.test_commands import _assert_one_line_failure
from tests.cli.test_server_process import _output, _wait_until_live
from tests.support.paths import ROOT

pytestmark = pytest.mark.slow

ISO_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \[(debug|info|warning|error)\s*\] ")


@asynccontextmanager
async def running(*args: str, env: dict[str, str], log: Path) -> AsyncIterator[Callable[[], str]]:
    """A `starter` process serving on `--port`; yields a reader of its output so far."""
    port = args[args.index("--port") + 1]
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            STARTER, *args, env=env, cwd=str(ROOT), stdout=sink, stderr=sink
        )
    try:
        await _wait_until_live(f"http://127.0.0.1:{port}", process, log)
        yield lambda: _output(log)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _start(*args: str, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    port = args[args.index("--port") + 1]
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            STARTER, *args, env=env, cwd=str(ROOT), stdout=sink, stderr=sink
        )
    await _wait_until_live(f"http://127.0.0.1:{port}", process, log)
    return process


def _banner(output: str) -> dict[str, str]:
    """`  Web app:   http://…` lines → {"Web app": "http://…"}."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("starter "))
    fields: dict[str, str] = {}
    label = ""
    for line in lines[start + 1 :]:
        if label and line.startswith("             "):
            fields[label] += " " + line.strip()
            continue
        if not line.startswith("  ") or ":" not in line:
            break
        label, _, value = line.strip().partition(":")
        fields[label] = value.strip()
    return fields


# --- one-line answers -------------------------------------------------------------------------


async def test_version() -> None:
    result = await run_starter("--version", env=cli_env(None))
    assert (result.code, result.stdout) == (0, f"starter {version('starter')}\n"), result


async def test_misspelled_variable_names_the_nearest_setting(database_url: str) -> None:
    env = cli_env(database_url, STARTER__SERVR__PORT="4000", STARTER__LOG_LEVLE="debug")
    result = await run_starter("health-check", env=env)
    assert (result.code, result.stdout) == (0, "OK\n"), result
    assert result.error_lines == [
        "warning: STARTER__LOG_LEVLE is not a setting and is ignored; "
        "did you mean STARTER__LOG_LEVEL?",
        "warning: STARTER__SERVR__PORT is not a setting and is ignored; "
        "did you mean STARTER__SERVER__PORT?",
    ]


@pytest.mark.parametrize("command", ["server", "dev"])
async def test_busy_port_is_one_line_before_anything_starts(command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # An unreachable database: reaching it would print another error than the port's.
        env = cli_env(closed_port_url(), STARTER__SERVER__PORT=str(port))
        result = await run_starter(command, "--host", "127.0.0.1", env=env)
    _assert_one_line_failure(result, f"port {port} is in use; set STARTER__SERVER__PORT")
    assert "startup complete" not in result.stdout + result.stderr
    assert "Errno" not in result.stderr


async def test_health_check_never_starts_the_embedded_database(tmp_path: Path) -> None:
    data = tmp_path / "pgdata"
    result = await run_starter(
        "health-check", env=cli_env(None, STARTER__DATABASE__EMBEDDED_DIR=str(data))
    )
    _assert_one_line_failure(result, "database unreachable", "embedded PostgreSQL", "not running")
    assert result.stdout == ""
    assert not data.exists()


# --- the banner and the first admin -----------------------------------------------------------


async def test_server_banner_says_how_to_create_the_admin(
    database_url: str, tmp_path: Path, db: asyncpg.Connection
) -> None:
    port = free_port()
    # The test server trusts local connections, so any password is accepted, and must not show.
    assert "postgres:@" in database_url
    with_password = database_url.replace("postgres:@", "postgres:s3cret@")
    env = cli_env(with_password, STARTER__LOG_LEVEL="info")
    async with running("server", "--port", str(port), env=env, log=tmp_path / "s.log") as out:
        banner = _banner(out())
        assert "s3cret" not in out()
    base = f"http://127.0.0.1:{port}"
    assert banner["Web app"] == f"{base}/"
    assert banner["API docs"] == f"{base}/api-docs"
    assert banner["Health"] == f"{base}/api/v1/health"
    assert banner["Database"] == database_url.replace("postgres:@", "postgres@")
    assert banner["Mail"] == f".eml files in {ROOT / '.starter' / 'outbox'} (no SMTP configured)"
    assert banner["Admin"] == (
        "none yet: run `starter admin create-admin`, or set STARTER__INITIAL_ADMIN_PASSWORD "
        "and restart (creates `admin`)"
    )
    assert await db.fetchval("SELECT count(*) FROM users") == 0  # never generated in server mode


async def test_dev_creates_a_local_admin_once_and_prints_its_password(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = cli_env(database_url, STARTER__LOG_LEVEL="info")
    async with running("dev", "--port", str(port), env=env, log=tmp_path / "1.log") as out:
        banner = _banner(out())
        password = re.fullmatch(
            r"created `admin` with password (\S+) \(shown this once; .*\)", banner["Admin"]
        )
        assert password is not None, banner
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            login = await http.post(
                "/api/v1/auth/login", json={"username": "admin", "password": password[1]}
            )
        assert login.status_code == 200, login.text
        assert login.json()["data"]["user"]["role"] == "admin"
        assert out().count(password[1]) == 1  # printed once, never logged

    async with running("dev", "--port", str(port), env=env, log=tmp_path / "2.log") as out:
        assert _banner(out())["Admin"] == "admin"
        assert "with password" not in out()


async def test_dev_uses_the_configured_password(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(database_url, STARTER__INITIAL_ADMIN_PASSWORD="Conf1gured!Pass")
    async with running("dev", "--port", str(port), env=env, log=tmp_path / "d.log") as out:
        assert _banner(out())["Admin"] == "admin"
        assert "Conf1gured!Pass" not in out()


# --- one log format ---------------------------------------------------------------------------


async def test_uvicorn_lines_are_structlog_lines_and_assets_are_quiet(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = cli_env(database_url, STARTER__LOG_LEVEL="info")
    base = f"http://127.0.0.1:{port}"
    async with running("server", "--port", str(port), env=env, log=tmp_path / "l.log") as out:
        async with httpx.AsyncClient(base_url=base) as http:
            page = await http.get("/")
            asset = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
            assert asset is not None, page.text
            assert (await http.get(asset[1])).status_code == 200
            assert (await http.get("/api/v1/health")).status_code == 200
        await asyncio.sleep(0.5)
        output = out()
    log_lines = [
        line for line in output.splitlines() if line and not line.startswith(("starter ", "  "))
    ]
    assert log_lines, output
    assert all(ISO_LINE.match(line) for line in log_lines), output
    assert any("Application startup complete." in line for line in log_lines), output
    assert "INFO:" not in output
    requests = [line for line in log_lines if "http.request" in line]
    assert any("path=/api/v1/health " in line for line in requests), output
    assert not any("/assets/" in line for line in requests), output


# --- the embedded PostgreSQL's lifetime -------------------------------------------------------


def _embedded_env(data: Path) -> dict[str, str]:
    return cli_env(None, STARTER__DATABASE__EMBEDDED_DIR=str(data), STARTER__LOG_LEVEL="info")


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except FileNotFoundError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _stopped(data: Path, postmaster: int) -> bool:
    for _ in range(50):
        if _postmaster_pid(data) is None and not _alive(postmaster):
            return True
        await asyncio.sleep(0.2)
    return False


async def _health(data: Path) -> Result:
    return await run_starter("health-check", env=_embedded_env(data))


async def test_ctrl_c_of_dev_stops_the_embedded_database(tmp_path: Path) -> None:
    data = tmp_path / "pgdata"
    port = str(free_port())
    dev = await _start("dev", "--port", port, env=_embedded_env(data), log=tmp_path / "d.log")
    assert _banner(_output(tmp_path / "d.log"))["Database"] == f"embedded PostgreSQL in {data}"
    postmaster = _postmaster_pid(data)
    assert postmaster is not None and _alive(postmaster)
    assert (await _health(data)).stdout == "OK\n"

    dev.send_signal(signal.SIGINT)
    await asyncio.wait_for(dev.wait(), 30)
    assert await _stopped(data, postmaster), _output(tmp_path / "d.log")
    assert "Traceback" not in _output(tmp_path / "d.log")
    _assert_one_line_failure(await _health(data), "database unreachable", "not running")


async def test_sigterm_of_server_stops_it_only_after_its_last_user(tmp_path: Path) -> None:
    data = tmp_path / "pgdata"
    env = _embedded_env(data)
    first = await _start("server", "--port", str(free_port()), env=env, log=tmp_path / "1.log")
    second = await _start("server", "--port", str(free_port()), env=env, log=tmp_path / "2.log")
    postmaster = _postmaster_pid(data)
    assert postmaster is not None

    first.send_signal(signal.SIGTERM)
    # Still dies of the signal, so supervisors see it.
    assert await asyncio.wait_for(first.wait(), 30) == -signal.SIGTERM
    assert _alive(postmaster), "stopped while another server still used it"
    assert (await _health(data)).stdout == "OK\n"

    # A user that died without its exit hooks (SIGKILL) must not keep the server up forever.
    gone = await asyncio.create_subprocess_exec("true")
    await gone.wait()
    handles = data / ".handle_pids.json"
    handles.write_text(json.dumps([*json.loads(handles.read_text()), gone.pid]))

    second.send_signal(signal.SIGTERM)
    await asyncio.wait_for(second.wait(), 30)
    assert await _stopped(data, postmaster), _output(tmp_path / "2.log")
    for log in ("1.log", "2.log"):
        assert "Application shutdown complete" in _output(tmp_path / log)
        assert "Traceback" not in _output(tmp_path / log)
