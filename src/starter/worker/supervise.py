"""Keeps one long-lived worker loop running, whatever happens to it.

A loop that raises (a lost connection, a database that refuses writes, a bug) or returns
while it should run is logged, reported failing to `Health`, and restarted after a capped
exponential backoff; it never dies silently. Loops take their connection inside the body, so
a restart also means a fresh connection. The loop itself reports `health.ok(name)` once it
works again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import structlog

from starter.core.db import database_unavailable
from starter.worker.health import Health

log = structlog.get_logger(__name__)

FIRST_BACKOFF_SECS = 0.1
# Low enough that the worker claims again within a few seconds of the database coming back.
MAX_BACKOFF_SECS = 2.0
# A body that ran this long before failing starts over from the first backoff.
STABLE_SECS = 10.0


def _never() -> bool:
    return False


def _describe(error: BaseException) -> str:
    detail = str(error).strip().splitlines()
    return f"{type(error).__name__}: {detail[0]}" if detail else type(error).__name__


async def supervise(
    name: str,
    body: Callable[[], Awaitable[None]],
    health: Health,
    *,
    done: Callable[[], bool] = _never,
) -> None:
    """Run `body` until it returns with `done()` true (or this task is cancelled)."""
    backoff = FIRST_BACKOFF_SECS
    while True:
        started = time.monotonic()
        try:
            await body()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if done():
                log.warning("worker.loop_failed_while_stopping", loop=name, error=_describe(error))
                return
            reason = _describe(error)
            if database_unavailable(error):  # the server's state, not a bug: no traceback
                log.warning("worker.loop_failed", loop=name, error=reason, retry_in=backoff)
            else:
                log.exception("worker.loop_failed", loop=name, error=reason, retry_in=backoff)
        else:
            if done():
                return
            reason = "loop ended unexpectedly"
            log.error("worker.loop_ended", loop=name, retry_in=backoff)
        health.failing(name, reason)
        if time.monotonic() - started >= STABLE_SECS:
            backoff = FIRST_BACKOFF_SECS
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF_SECS)
