"""The live stream's hub: ONE PostgreSQL LISTEN connection per process, fanned out to
per-client bounded queues. Because the source is NOTIFY, every server process sees every
change, whichever process (or worker) made it.

A client whose queue is full is disconnected (its queue is replaced by the close marker):
nothing buffers without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
import orjson
import structlog

from starter.core.db import CONNECTION_ERRORS

log = structlog.get_logger(__name__)

TASK_CHANNEL = "starter_task_status"  # starter.tasks.channels.TASK_STATUS (no import: layers)
MONITORING_CHANNEL = "starter_monitoring"
MONITORING_KINDS = frozenset({"event", "alert", "incident"})
LIVENESS_CHECK_SECS = 30.0
MAX_BACKOFF_SECS = 10.0
LISTENER_ERRORS: tuple[type[BaseException], ...] = (*CONNECTION_ERRORS, OSError, TimeoutError)


@dataclass(frozen=True)
class Viewer:
    user_id: UUID
    is_moderator: bool


@dataclass(frozen=True)
class StreamMessage:
    id: int
    event: str
    data: bytes

    def encode(self) -> bytes:
        return b"id: %d\nevent: %s\ndata: %s\n\n" % (self.id, self.event.encode(), self.data)


CLOSED = StreamMessage(0, "", b"")


@dataclass(eq=False)
class Subscriber:
    viewer: Viewer
    queue: asyncio.Queue[StreamMessage]
    dropped: bool = field(default=False)

    def offer(self, message: StreamMessage) -> bool:
        """Queue the message; False (and the close marker queued) when the client is too slow."""
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(CLOSED)
            self.dropped = True
            return False
        return True


def audience_allows(viewer: Viewer, event: str, payload: dict[str, Any]) -> bool:
    """Task changes: the task's creator and moderator+. Monitoring kinds: moderator+, and an
    incident also its creator and assignee when the notification names them."""
    if viewer.is_moderator:
        return True
    me = str(viewer.user_id)
    if event == "task":
        return payload.get("created_by") == me
    if event == "incident":
        return me in (payload.get("created_by"), payload.get("assigned_to"))
    return False


def classify(channel: str, raw: str) -> tuple[str, dict[str, Any]] | None:
    """The SSE event name and the payload of a notification, or None to ignore it."""
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    if channel == TASK_CHANNEL:
        return "task", payload
    kind = payload.get("kind")
    if channel == MONITORING_CHANNEL and kind in MONITORING_KINDS:
        return str(kind), payload
    return None


class StreamHub:
    def __init__(self, database_url: str, *, queue_size: int, connect_timeout: float) -> None:
        self._url = database_url
        self._queue_size = queue_size
        self._connect_timeout = connect_timeout
        self._subscribers: set[Subscriber] = set()
        self._ids = itertools.count(1)
        self._ready = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def subscribe(self, viewer: Viewer) -> Subscriber:
        """Register a client; the listener starts with the first one. TimeoutError if the
        database cannot be reached in time."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._listen_forever(), name="stream-hub")
        await asyncio.wait_for(self._ready.wait(), timeout=self._connect_timeout)
        subscriber = Subscriber(viewer, asyncio.Queue(maxsize=self._queue_size))
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    async def close(self) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(CLOSED)
        self._subscribers.clear()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None

    def publish(self, channel: str, raw: str) -> None:
        classified = classify(channel, raw)
        if classified is None:
            log.warning("stream.notification_ignored", channel=channel)
            return
        event, payload = classified
        message = StreamMessage(next(self._ids), event, orjson.dumps(payload))
        for subscriber in list(self._subscribers):
            if audience_allows(subscriber.viewer, event, payload) and not subscriber.offer(message):
                self._subscribers.discard(subscriber)
                log.info("stream.slow_client_dropped", user_id=str(subscriber.viewer.user_id))

    def _on_notification(self, _conn: object, _pid: int, channel: str, payload: object) -> None:
        self.publish(channel, str(payload))

    async def _listen_forever(self) -> None:
        backoff = 0.25
        while True:
            try:
                await self._listen_once()
                backoff = 0.25
            except LISTENER_ERRORS as error:
                log.warning("stream.listener_lost", error=str(error))
            except Exception:
                # Keep the supervisor alive whatever happened; subscribers wait for `ready`.
                log.exception("stream.listener_failed")
            finally:
                self._ready.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECS)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(self._url, timeout=self._connect_timeout)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            for channel in (TASK_CHANNEL, MONITORING_CHANNEL):
                await conn.add_listener(channel, self._on_notification)
            self._ready.set()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), timeout=LIVENESS_CHECK_SECS)
                except TimeoutError:
                    # A silently dead socket is only noticed when we use it.
                    await conn.execute("SELECT 1", timeout=self._connect_timeout)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=2)


async def sse_events(
    hub: StreamHub,
    subscriber: Subscriber,
    *,
    heartbeat_secs: float,
    is_disconnected: Callable[[], Awaitable[bool]],
) -> AsyncIterator[bytes]:
    """The SSE body: messages as they come, `: ping` when idle; ends when the client goes
    away or is dropped for being too slow."""
    try:
        yield b"retry: 3000\n: connected\n\n"
        while True:
            try:
                message = await asyncio.wait_for(subscriber.queue.get(), timeout=heartbeat_secs)
            except TimeoutError:
                if await is_disconnected():
                    return
                yield b": ping\n\n"
                continue
            if message is CLOSED:
                return
            yield message.encode()
    finally:
        hub.unsubscribe(subscriber)
