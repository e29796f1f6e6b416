"""The worker's dedicated LISTEN connection: wakes the claim loop and delivers cancel requests.

If the connection drops, the worker keeps going on its fallback poll and reconnects here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from starter.core.db import CONNECTION_ERRORS
from starter.tasks.channels import TASK_CANCEL, TASKS_READY

log = structlog.get_logger(__name__)


class Listener:
    def __init__(
        self,
        url: str,
        *,
        on_ready: Callable[[str], None],
        on_cancel: Callable[[UUID], None],
        reconnect_secs: float = 1.0,
    ) -> None:
        self._url = url
        self._on_ready = on_ready
        self._on_cancel = on_cancel
        self._reconnect_secs = reconnect_secs
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self.connected = asyncio.Event()

    def _ready(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        self._on_ready(str(payload))

    def _cancel(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        text = str(payload)
        try:
            task_id = UUID(text.strip().strip('"'))
        except ValueError:
            log.warning("worker.bad_cancel_payload", payload=text[:100])
            return
        self._on_cancel(task_id)

    def _terminated(self, _conn: Any) -> None:
        self._lost.set()

    async def run(self) -> None:
        """Stay connected until cancelled; each (re)connection also wakes the claim loop."""
        while True:
            try:
                conn = await asyncpg.connect(self._url, timeout=10)
            except CONNECTION_ERRORS as error:
                log.warning("worker.listen_connect_failed", error=str(error))
                await asyncio.sleep(self._reconnect_secs)
                continue
            self._conn = conn
            self._lost.clear()
            try:
                conn.add_termination_listener(self._terminated)
                await conn.add_listener(TASKS_READY, self._ready)
                await conn.add_listener(TASK_CANCEL, self._cancel)
                self.connected.set()
                self._on_ready("")  # anything announced while we were not listening
                await self._lost.wait()
                log.warning("worker.listen_connection_lost")
            except CONNECTION_ERRORS as error:
                log.warning("worker.listen_failed", error=str(error))
            finally:
                self.connected.clear()
                self._conn = None
                with contextlib.suppress(*CONNECTION_ERRORS, asyncpg.PostgresError):
                    await asyncio.shield(conn.close(timeout=2))
            await asyncio.sleep(self._reconnect_secs)
