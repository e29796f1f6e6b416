"""A temporary copy of the repository to generate into, and the commands run inside it.

The copy holds the working tree's files (tracked and untracked, minus what git ignores) as one
commit of its own, so `git status --porcelain` there tells exactly what a command changed. Its
commands run with this checkout's virtualenv and `PYTHONPATH=<copy>/src`, so they import the
copy's code; the web app's node_modules is linked in, not copied.

The type checkers run incrementally, as a developer's second run would: the copy starts with this
checkout's mypy cache (`make lint` wrote it), and `tsc` keeps its build info between copies
(its paths are relative, and every copy sits at the same depth). Both check a changed file
and whatever depends on it again, so the verdict is a cold run's."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from starter.core import db as dbmod
from tests.support.paths import ROOT

BIN = Path(sys.executable).parent
CLI = "from starter.cli.main import main; main()"
STEP_TIMEOUT_SECS = 600
GIT = shutil.which("git") or "/usr/bin/git"
TSC_BUILD_INFO = "web/.cache/tsc/tsconfig.tsbuildinfo"


@dataclass
class Done:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Repo:
    path: Path
    env: dict[str, str]
    # The last copy's tsc build info, shared by this test process's copies.
    shared_tsc_build_info: Path

    def run(
        self,
        *command: str | Path,
        cwd: Path | None = None,
        check: bool = True,
        database_url: str | None = None,
        stdin: str | None = None,
    ) -> Done:
        env = dict(self.env)
        if database_url is not None:
            env["STARTER__DATABASE__URL"] = database_url
        done = subprocess.run(
            [str(part) for part in command],
            cwd=cwd or self.path,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_SECS,
            check=False,
        )
        result = Done(done.returncode, done.stdout, done.stderr)
        if check and done.returncode != 0:
            pytest.fail(f"{' '.join(map(str, command))} exited {done.returncode}:\n{result.text}")
        return result

    def starter_command(self, *args: str) -> list[str]:
        """The copy's own `starter` command line."""
        return [sys.executable, "-c", CLI, *args]

    def starter(self, *args: str, check: bool = True, database_url: str | None = None) -> Done:
        return self.run(*self.starter_command(*args), check=check, database_url=database_url)

    def status(self) -> str:
        return self.run(GIT, "status", "--porcelain").out

    def lint(self) -> None:
        """`make lint` and the web app's type check, as CI runs them."""
        self.run(BIN / "ruff", "check", "src", "tests", "bench")
        self.run(BIN / "ruff", "format", "--check", "src", "tests", "bench")
        self.run(BIN / "mypy")
        self.run(BIN / "lint-imports")
        npx = shutil.which("npx")
        if npx and (self.path / "web" / "node_modules").exists():
            self._type_check_web(npx)

    def _type_check_web(self, npx: str) -> None:
        build_info = self.path / TSC_BUILD_INFO
        if not build_info.exists() and self.shared_tsc_build_info.exists():
            build_info.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.shared_tsc_build_info, build_info)
        self.run(
            npx, "tsc", "--noEmit", "--incremental", "--tsBuildInfoFile", build_info,
            cwd=self.path / "web",
        )  # fmt: skip
        shutil.copy2(build_info, self.shared_tsc_build_info)


def _files(root: Path) -> list[str]:
    listed = subprocess.run(
        [GIT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


def _git(path: Path, *args: str) -> None:
    subprocess.run([GIT, *args], cwd=path, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, pg_server: tuple[str, str]) -> Iterator[Repo]:
    path = tmp_path_factory.mktemp("copy") / "project"
    for name in _files(ROOT):
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    if (ROOT / "web" / "node_modules").is_dir():
        (path / "web" / "node_modules").symlink_to(ROOT / "web" / "node_modules")
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", path / ".mypy_cache")
    _git(path, "init", "-q")
    (path / ".git" / "info" / "exclude").write_text(f"web/node_modules\n{TSC_BUILD_INFO}\n")
    _git(path, "add", "-A")
    _git(path, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "copy")
    admin_url, _template = pg_server
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARTER__")}
    env.update(
        {
            "PYTHONPATH": str(path / "src"),
            "STARTER__DATABASE__URL": admin_url,  # the copy's tests build their own template
            "STARTER__LOG_LEVEL": "warning",
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }
    )
    yield Repo(path, env, tmp_path_factory.getbasetemp() / "tsconfig.tsbuildinfo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sql(url: str, query: str, *args: Any) -> Any:
    async def go() -> Any:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    return asyncio.run(go())


@contextmanager
def empty_database(admin_url: str) -> Iterator[str]:
    name = f"gen_{uuid.uuid4().hex[:12]}"
    sql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield dbmod.with_database(admin_url, name)
    finally:
        sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
