"""schemathesis over our own OpenAPI document, against a real server process on a fresh
database: every check, positive and negative data, stateful links (schemathesis.toml). Each
run must end with no failure; on one, its report is the assertion message."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import cli_env, free_port
from tests.support.paths import ROOT

BIN = ROOT / ".venv" / "bin"
CONFIG = ROOT / "schemathesis.toml"
STARTUP_SECS = 60
# Only stops a hung run: the phases' budgets are in RUNS.
RUN_TIMEOUT_SECS = 300

pytestmark = pytest.mark.slow


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


async def _wait_healthy(base: str, server: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECS
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if server.returncode is not None:
                raise RuntimeError(f"server exited early:\n{_tail(log)}")
            try:
                if (await http.get(f"{base}/api/v1/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server not healthy after {STARTUP_SECS}s:\n{_tail(log)}")


@pytest.fixture
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """`starter server` on a fresh database; yields its base URL."""
    port = free_port()
    env = cli_env(database_url)
    env.update(
        {
            "STARTER__SERVER__ACCESS_LOG": "false",
            "STARTER__SERVER__WEB_BUILD_PATH": "",
            # Every login of the run, most with made-up credentials, comes from one address.
            "STARTER__AUTH__LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
            "STARTER__LOG_LEVEL": "warning",
        }
    )
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(BIN / "starter"),
            "server",
            "--port",
            str(port),
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(base, process, log)
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


# (phases, extra options). Each timed run stops when its budget is spent (the coverage phase
# too: it has thousands of cases); one budget for the whole run let a loaded machine spend it
# all on the coverage phase and never fuzz (seen with every process test running at once).
RUNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("examples,coverage", ("--max-time", "30")),
    ("fuzzing", ("--max-time", "55")),
    ("stateful", ()),
)


async def _schemathesis(
    base: str, env: dict[str, str], cwd: Path, phases: str, *options: str
) -> str:
    """One `schemathesis run` of `phases`; its report, after asserting it found nothing."""
    process = await asyncio.create_subprocess_exec(
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/api-docs/openapi.json",
        "--phases",
        phases,
        *options,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_SECS)
    report = output.decode(errors="replace")
    print(report[report.find("SUMMARY") :])
    assert process.returncode == 0, report[-20000:]
    for phase in phases.split(","):
        assert f"✅ {phase.capitalize()}" in report, f"the {phase} phase did not run and pass"
    return report


async def test_schemathesis_finds_no_failure(
    server: str, database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # the auth hook, tests/contract/schemathesis_auth.py
        "STARTER_CONTRACT_BASE_URL": f"{server}/api/v1",
        "STARTER_CONTRACT_DATABASE_URL": database_url,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    generated = 0
    for phases, options in RUNS:
        report = await _schemathesis(server, env, tmp_path, phases, *options)
        (tmp_path / f"schemathesis-{phases.replace(',', '-')}.txt").write_text(report)
        counts = re.search(r"(\d+) generated, (\d+) passed", report)
        assert counts and counts[1] == counts[2], report
        generated += int(counts[1])
    assert generated > 200
