"""`starter rename` in a temporary copy of the repository: the renamed project installs, lints
clean, and its server and worker run a task end to end under the new name."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.generator.conftest import GIT, Repo, empty_database, free_port

pytestmark = pytest.mark.slow

NEW = "acme"
ADMIN_PASSWORD = "Rename-Admin-Pass-42!"
STARTUP_TIMEOUT_SECS = 90


def _install(repo: Repo) -> Path:
    """A virtualenv that sees this checkout's dependencies but not its `starter`, with the
    renamed copy installed into it (editable, as `make install` does)."""
    venv = repo.path.parent / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = next((venv / "lib").glob("python*/site-packages"))
    (packages / "checkout-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    repo.run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    return venv


@contextmanager
def _running(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink, cwd=log.parent)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(
    check: Callable[[], bool], what: str, processes: list[subprocess.Popen[bytes]], log: Path
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in processes), log.read_text(errors="replace")
        try:
            if check():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen in time:\n{log.read_text(errors='replace')}")


def _task_types(http: httpx.Client) -> set[str]:
    return {row["task_type"] for row in http.get("/tasks/types").json()["data"]}


def _admin(http: httpx.Client) -> dict[str, str]:
    login = http.post("/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert login.status_code == 200, login.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {login.json()['data']['session_token']}"}


def test_renamed_copy_installs_lints_and_runs_a_task(
    repo: Repo, pg_server: tuple[str, str]
) -> None:
    done = repo.starter("rename", NEW)
    assert f"Renamed the project to '{NEW}'" in done.out
    assert (repo.path / "src" / NEW / "cli" / "main.py").is_file()
    assert not (repo.path / "src" / "starter").exists()
    repo.run(GIT, "add", "-A")
    leftovers = repo.run(GIT, "grep", "-n", "-w", "-e", "starter", "-e", "STARTER", check=False)
    assert leftovers.out == "", leftovers.out
    assert f"<title>{NEW}</title>" in (repo.path / "web" / "index.html").read_text()
    assert f"{NEW.upper()}__" in (repo.path / "docker-compose.yml").read_text()

    repo.env["PYTHONPATH"] = str(repo.path / "src")
    repo.lint()
    venv = _install(repo)

    admin_url, _template = pg_server
    with empty_database(admin_url) as database_url:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("STARTER__")}
        env.pop("PYTHONPATH", None)
        env.update(
            {
                f"{NEW.upper()}__DATABASE__URL": database_url,
                f"{NEW.upper()}__INITIAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
                f"{NEW.upper()}__SERVER__ACCESS_LOG": "false",
                f"{NEW.upper()}__LOG_LEVEL": "warning",
                "API_BASE_URL": base,
            }
        )
        cli = str(venv / "bin" / NEW)
        server_log, worker_log = repo.path.parent / "server.log", repo.path.parent / "worker.log"
        with (
            _running([cli, "server", "--port", str(port)], env, server_log) as server,
            httpx.Client(base_url=f"{base}/api/v1", timeout=10) as http,
        ):
            _wait(
                lambda: http.get("/health/live").status_code == 200, "start", [server], server_log
            )
            with _running([cli, "worker"], env, worker_log) as worker:
                running = [server, worker]
                _wait(lambda: "delay_task" in _task_types(http), "types", running, worker_log)
                headers = _admin(http)
                body = {"task_type": "delay_task", "payload": {"delay_seconds": 0, "task_id": "1"}}
                created = http.post("/tasks", json=body, headers=headers)
                assert created.status_code == 200, created.text
                path = f"/tasks/{created.json()['data']['id']}"

                def finished() -> bool:
                    return bool(
                        http.get(path, headers=headers).json()["data"]["status"] == "completed"
                    )

                _wait(finished, "the task", running, worker_log)
