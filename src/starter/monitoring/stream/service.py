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
from functools import partial
from typing import Any
from uuid import UUID

import orjson
import structlog

from starter.core.channels import MONITORING, TASK_STATUS
from starter.core.listener import NotificationListener

log = structlog.get_logger(__name__)

MONITORING_KINDS = frozenset({"event", "alert", "incident"})


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
    if channel == TASK_STATUS:
        return "task", payload
    kind = payload.get("kind")
    if channel == MONITORING and kind in MONITORING_KINDS:
        return str(kind), payload
    return None


class StreamHub:
    def __init__(self, database_url: str, *, queue_size: int, connect_timeout: float) -> None:
        self._queue_size = queue_size
        self._connect_timeout = connect_timeout
        self._subscribers: set[Subscriber] = set()
        self._ids = itertools.count(1)
        self._ready = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._listener = NotificationListener(
            database_url,
            {channel: partial(self.publish, channel) for channel in (TASK_STATUS, MONITORING)},
            name="stream-hub",
            connect_timeout=connect_timeout,
            on_listening=self._set_listening,
        )

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def subscribe(self, viewer: Viewer) -> Subscriber:
        """Register a client; the listener starts with the first one. TimeoutError if the
        database cannot be reached in time."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._listener.run(), name="stream-hub")
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

    def _set_listening(self, listening: bool) -> None:
        if listening:
            self._ready.set()
        else:
            self._ready.clear()


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
