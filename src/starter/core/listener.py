"""A dedicated PostgreSQL LISTEN connection that stays up.

It reconnects with backoff, checks a quiet connection every 30 s (a silently dead socket is
only noticed when used), and tells its owner each time it starts or stops listening: whatever
was announced while it was not listening is lost, so owners that keep derived state (caches,
subscribers) must treat "stopped" as "everything may have changed". The log says so too: a
`listener.lost` warning for every ended connection or failed attempt, and one
`listener.recovered` line (with how long it was down) once it listens again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping

import asyncpg
import structlog

from starter.core.db import CONNECTION_ERRORS

log = structlog.get_logger(__name__)

LIVENESS_CHECK_SECS = 30.0
FIRST_BACKOFF_SECS = 0.25
MAX_BACKOFF_SECS = 10.0
LISTENER_ERRORS: tuple[type[BaseException], ...] = (*CONNECTION_ERRORS, OSError, TimeoutError)

Handler = Callable[[str], None]


def _ignore(_listening: bool) -> None:
    return None


def _stop_if_cancelled() -> None:
    """A cancellation that arrived while a connection attempt was failing can be swallowed by
    the driver (we then see its connection error instead); honour it rather than loop on."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class NotificationListener:
    """Calls `handlers[channel](payload)` for every notification; run `run()` as a task."""

    def __init__(
        self,
        url: str,
        handlers: Mapping[str, Handler],
        *,
        name: str,
        connect_timeout: float,
        on_listening: Callable[[bool], None] = _ignore,
        max_backoff: float = MAX_BACKOFF_SECS,
    ) -> None:
        self._url = url
        self._handlers = dict(handlers)
        self._name = name
        self._connect_timeout = connect_timeout
        self._on_listening = on_listening
        self._max_backoff = max_backoff
        self._listened = False  # since the last loss
        self._lost_at: float | None = None  # monotonic time of the first loss not yet recovered

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after every loss."""
        backoff = FIRST_BACKOFF_SECS
        while True:
            try:
                await self._listen_once()
            except LISTENER_ERRORS as error:
                log.warning("listener.lost", listener=self._name, error=str(error))
            except Exception:
                # Keep the supervisor alive whatever happened; the owner was told we stopped.
                log.exception("listener.failed", listener=self._name)
            _stop_if_cancelled()
            if self._lost_at is None:
                self._lost_at = time.monotonic()
            if self._listened:  # it was up: the first retry comes soon again
                self._listened, backoff = False, FIRST_BACKOFF_SECS
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    def _listening(self) -> None:
        if self._lost_at is not None:
            down_secs = round(time.monotonic() - self._lost_at, 1)
            log.info("listener.recovered", listener=self._name, down_secs=down_secs)
            self._lost_at = None
        self._listened = True
        self._on_listening(True)

    def _dispatch(self, _conn: object, _pid: int, channel: str, payload: object) -> None:
        self._handlers[channel](str(payload))

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(self._url, timeout=self._connect_timeout)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            for channel in self._handlers:
                await conn.add_listener(channel, self._dispatch)
            self._listening()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), timeout=LIVENESS_CHECK_SECS)
                except TimeoutError:
                    await conn.execute("SELECT 1", timeout=self._connect_timeout)
            raise ConnectionResetError("the server ended the connection")
        finally:
            self._on_listening(False)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=2)
