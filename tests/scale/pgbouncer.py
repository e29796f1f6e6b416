"""A real PgBouncer (Debian's `pgbouncer`) in transaction mode in front of the test server.

Started by the test on a free port with a generated ini and userlist; PgBouncer refuses to run
as root, so under root it runs as the same system user as the test PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.cli.conftest import free_port
from tests.worker.private_pg import SYSTEM_USER, _bin_dir

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SKIP_REASON = (
    "Debian's pgbouncer is not installed and cannot be installed here (`make pgbouncer` needs "
    "apt-get and root)"
)


def _server_address(url: str) -> tuple[str, int, str]:
    """(host or socket directory, port, user) of a PostgreSQL URL."""
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    return host, parts.port or 5432, parts.username or "postgres"


class PgBouncer:
    def __init__(self, server_url: str, *, pool_size: int = 20) -> None:
        self.host, self.server_port, self.user = _server_address(server_url)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="starter-pgbouncer-"))
        self.root.chmod(0o755)
        self.ini = self.root / "pgbouncer.ini"
        self.log = self.root / "pgbouncer.log"
        self._run_as = SYSTEM_USER if os.geteuid() == 0 else None
        self._process: subprocess.Popen[bytes] | None = None
        (self.root / "userlist.txt").write_text(f'"{self.user}" ""\n')
        self.ini.write_text(
            f"""[databases]
* = host={self.host} port={self.server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.root / "userlist.txt"}
admin_users = {self.user}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
logfile = {self.log}
pidfile = {self.root / "pgbouncer.pid"}
"""
        )
        if self._run_as is not None:
            for path in (self.root, *self.root.iterdir()):
                shutil.chown(path, self._run_as)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [PGBOUNCER, "-q", str(self.ini)], user=self._run_as, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {self.log.read_text(errors='replace')}")
            with contextlib.suppress(subprocess.CalledProcessError):
                self.show("VERSION")
                return
            time.sleep(0.1)
        raise RuntimeError("pgbouncer did not start")

    def show(self, what: str) -> list[dict[str, str]]:
        """`SHOW <what>` on the admin console (simple protocol only: psql, not asyncpg)."""
        out = subprocess.run(
            [
                str(_bin_dir() / "psql"),
                *("-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", "pgbouncer"),
                *("-X", "-A", "-F", "\t", "-P", "footer=off", "-c", f"SHOW {what}"),
            ],
            check=True,
            capture_output=True,
            timeout=10,
            text=True,
        ).stdout.splitlines()
        header = out[0].split("\t")
        return [dict(zip(header, line.split("\t"), strict=True)) for line in out[1:]]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_pgbouncer(server_url: str) -> Iterator[PgBouncer]:
    if not Path(PGBOUNCER).is_file():
        pytest.skip(SKIP_REASON)
    bouncer = PgBouncer(server_url)
    bouncer.start()
    try:
        yield bouncer
    finally:
        bouncer.stop()
