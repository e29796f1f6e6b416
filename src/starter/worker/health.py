"""Whether the worker can do its work, told three ways: its log, its row, and a local file.

Each supervised loop reports `failing(loop, error)` when it breaks and `ok(loop)` once it works
again; the worker is healthy while no loop is failing. Transitions are logged
(`worker.unhealthy` / `worker.healthy`). The heartbeat refreshes the worker row's
`heartbeat_at` only while healthy, so a stale row means a worker that cannot work. The file
(`worker.health_file`) is rewritten on every transition and every heartbeat interval, so
`starter health-check --worker` can answer while the database is unreachable: it fails when
the file says unhealthy, is missing or was not refreshed recently (a hung or dead process).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog

from starter.core.config import WorkerSettings

log = structlog.get_logger(__name__)


class Health:
    def __init__(self, worker_id: UUID, path: Path | None) -> None:
        self._worker_id = worker_id
        self._path = path
        self._failing: dict[str, str] = {}
        self._state = "starting"

    @property
    def healthy(self) -> bool:
        return not self._failing

    def healthy_apart_from(self, loop: str) -> bool:
        return not (self._failing.keys() - {loop})

    def failing(self, loop: str, error: str) -> None:
        was_healthy = self.healthy
        self._failing[loop] = error
        if was_healthy:
            log.error("worker.unhealthy", worker_id=str(self._worker_id), loop=loop, error=error)
            self.publish()

    def ok(self, loop: str) -> None:
        if self._failing.pop(loop, None) is None:
            return
        log.info("worker.loop_recovered", loop=loop)
        if self.healthy:
            log.warning("worker.healthy", worker_id=str(self._worker_id))
            self.publish()

    def set_state(self, state: str) -> None:
        """`starting`, `running` or `stopped`; only `running` and healthy passes the check."""
        self._state = state
        self.publish()

    def publish(self) -> None:
        """Write the health file atomically (a reader never sees half of it)."""
        if self._path is None:
            return
        document = {
            "worker_id": str(self._worker_id),
            "pid": os.getpid(),
            "state": self._state,
            "healthy": self.healthy,
            "failing": self._failing,
            "updated_at": time.time(),
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self._path.with_name(f".{self._path.name}.{os.getpid()}")
        scratch.write_text(json.dumps(document), encoding="utf-8")
        os.replace(scratch, self._path)


def check_worker_health(settings: WorkerSettings) -> str | None:
    """For `health-check --worker`: None when healthy, else why not (one line)."""
    if settings.health_file is None:
        return "no worker health file configured (STARTER__WORKER__HEALTH_FILE)"
    # The file is rewritten every heartbeat interval; three missed rewrites mean trouble.
    return health_file_problem(settings.health_file, max(3 * settings.heartbeat_interval_secs, 5))


def health_file_problem(path: Path, max_age_secs: float) -> str | None:
    """Why the worker that writes `path` is not healthy, or None when it is."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
        age = time.time() - float(document["updated_at"])
        state, healthy, failing = document["state"], document["healthy"], document["failing"]
    except FileNotFoundError:
        return f"no worker health file at {path}"
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"unreadable worker health file {path}: {type(error).__name__}"
    if age > max_age_secs:
        return f"worker health file not refreshed for {age:.0f}s (worker hung or gone)"
    if state != "running":
        return f"worker is {state}"
    if not healthy:
        with contextlib.suppress(AttributeError):
            return "worker unhealthy: " + "; ".join(f"{k}: {v}" for k, v in failing.items())
        return "worker unhealthy"
    return None
