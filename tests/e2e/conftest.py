"""Browser journeys against the REAL server and a REAL worker (subprocesses on a fresh database
cloned from the test template), driven by Debian's chromium through Playwright. Nothing is
downloaded: Playwright only launches /usr/bin/chromium."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from starter.core import db as dbmod
from starter.spa import PACKAGED_DIST
from tests.support.paths import ROOT
from tests.support.users import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
ADMIN_PASSWORD = "E2e-Admin-Pass-2024!"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
STARTUP_TIMEOUT = 60.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = "chromium is not installed (`make browser` installs it with apt-get)"
    elif not (PACKAGED_DIST / "index.html").is_file():
        reason = "the web app is not built (`make install` builds it when Node is present)"
    for item in items:
        if reason and item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.skip(reason=reason))


def run_async(coroutine: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on a fresh thread: Playwright's sync API owns this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    base_url: str
    database_url: str
    server: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.base_url}/api/v1", timeout=10)

    def sql(self, query: str, *args: object) -> None:
        async def run() -> None:
            conn = await asyncpg.connect(self.database_url)
            try:
                await conn.execute(query, *args)
            finally:
                await conn.close()

        run_async(run())


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT}s:\n{log.read_text()[-4000:]}")


def _wait_worker(stack: Stack) -> None:
    """The worker registers the built-in task types in the database when it starts."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if stack.worker.poll() is not None:
            raise RuntimeError("worker exited early")
        types = httpx.get(f"{stack.base_url}/api/v1/tasks/types", timeout=2).json()["data"]
        if {"email", "data_processing", "delay_task"} <= {t["task_type"] for t in types}:
            return
        time.sleep(0.2)
    raise RuntimeError("worker did not register its task types")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def stack(pg_server: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    admin_url, template = pg_server
    name = f"e2e_{uuid.uuid4().hex[:12]}"

    async def admin_sql(statement: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    run_async(admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    database_url = dbmod.with_database(admin_url, name)
    workdir = tmp_path_factory.mktemp("e2e")
    port = free_port()
    env = {
        **os.environ,
        "STARTER__DATABASE__URL": database_url,
        "STARTER__INITIAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "STARTER__SERVER__WEB_BUILD_PATH": str(PACKAGED_DIST),
        "STARTER__SERVER__PORT": str(port),
        "STARTER__SERVER__ACCESS_LOG": "false",
        "STARTER__MONITORING__ALERT_INTERVAL_SECS": "2",
        "STARTER__AUTH__LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
        "STARTER__LOG_LEVEL": "warning",
        # The built-in webhook template's journey posts to a receiver on this machine, written
        # as `localhost`: only that host name is exempt from the private-address refusal.
        "STARTER__WEBHOOK__ALLOWED_PRIVATE_HOSTS": "localhost",
        "API_BASE_URL": f"http://127.0.0.1:{port}",
    }
    starter = str(ROOT / ".venv" / "bin" / "starter")
    server_log, worker_log = workdir / "server.log", workdir / "worker.log"
    with server_log.open("wb") as slog, worker_log.open("wb") as wlog:
        server = subprocess.Popen(
            [starter, "server", "--port", str(port)], cwd=workdir, env=env, stdout=slog, stderr=slog
        )
        worker = subprocess.Popen(
            [starter, "worker"], cwd=workdir, env=env, stdout=wlog, stderr=wlog
        )
    stack = Stack(f"http://127.0.0.1:{port}", database_url, server, worker)
    try:
        _wait_healthy(stack.base_url, server, server_log)
        _wait_worker(stack)
        yield stack
    finally:
        _stop(worker)
        _stop(server)
        run_async(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class Account:
    username: str
    email: str
    password: str
    role: str
    id: str = ""


@pytest.fixture(scope="session")
def make_account(stack: Stack):  # type: ignore[no-untyped-def]
    """Register through the API (promoted by SQL when asked); the browser logs in itself."""

    def factory(role: str = "user", prefix: str | None = None) -> Account:
        name = f"{prefix or role}_{uuid.uuid4().hex[:8]}"
        account = Account(name, f"{name}@example.com", PASSWORD, role)
        with stack.api() as api:
            response = api.post(
                "/auth/register",
                json={"username": name, "email": account.email, "password": PASSWORD},
            )
            assert response.status_code == 200, response.text
        account.id = response.json()["data"]["id"]
        if role != "user":
            stack.sql("UPDATE users SET role = $1 WHERE id = $2", role, uuid.UUID(account.id))
        return account

    return factory


@pytest.fixture(scope="session")
def admin_account() -> Account:
    return Account("admin", "admin@example.com", ADMIN_PASSWORD, "admin")


@pytest.fixture(scope="session")
def browser(stack: Stack):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, stack: Stack):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    native: list[str] = []

    def refuse(dialog: Any) -> None:
        native.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # The app asks through its own dialog; a native confirm()/alert() is a defect.
    tab.on("dialog", refuse)
    yield tab
    context.close()
    assert not native, f"native browser dialogs shown: {native}"
