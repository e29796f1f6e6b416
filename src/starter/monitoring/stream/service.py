"""The live stream's hub: ONE PostgreSQL LISTEN connection per process, fanned out to
per-client bounded queues. Because the source is NOTIFY, every server process sees every
change, whichever process (or worker) made it.

A client whose queue is full is disconnected (its queue is replaced by the close marker):
nothing buffers without bound.

Reconnecting clients resume: the hub keeps the recent messages (a bounded replay window, by
count and age) and replays those after the client's `Last-Event-ID` that it may see. Message
ids are microsecond timestamps made strictly increasing, so they also order messages across
restarts and across server processes (which all see the same notifications). When the window
no longer reaches back to the client's id (too old, this process started or lost its LISTEN
connection since), the client gets one `resync` message instead: refetch, then carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
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
RESYNC = "resync"


@dataclass(frozen=True)
class Recent:
    message: StreamMessage
    payload: dict[str, Any]
    at: float


@dataclass(eq=False)
class Subscriber:
    viewer: Viewer
    queue: asyncio.Queue[StreamMessage]
    dropped: bool = field(default=False)
    # What the client missed since its Last-Event-ID, sent before anything new.
    backlog: list[StreamMessage] = field(default_factory=list)

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


class ReplayWindow:
    """The recent messages, at most `size` and none older than `max_age` seconds."""

    def __init__(self, size: int, max_age: float) -> None:
        self._recent: deque[Recent] = deque()
        self._size = size
        self._max_age = max_age
        self._last_id = 0
        # Messages after this id are all in the window (nothing was evicted or missed since).
        self.complete_after = self.next_id()

    def next_id(self) -> int:
        self._last_id = max(self._last_id + 1, time.time_ns() // 1000)
        return self._last_id

    def gap(self) -> None:
        """Messages may have been missed (the LISTEN connection was lost)."""
        self._recent.clear()
        self.complete_after = self.next_id()

    def add(self, message: StreamMessage, payload: dict[str, Any]) -> None:
        now = time.monotonic()
        self._recent.append(Recent(message, payload, now))
        while self._recent and (
            len(self._recent) > self._size or now - self._recent[0].at > self._max_age
        ):
            self.complete_after = self._recent.popleft().message.id

    def since(self, last_id: int | None, viewer: Viewer) -> list[StreamMessage]:
        """What `viewer` missed after `last_id`, or one resync message if that is unknown."""
        if last_id is None:
            return []
        if last_id < self.complete_after:
            return [StreamMessage(self.next_id(), RESYNC, b'{"reason":"replay_window_exceeded"}')]
        return [
            recent.message
            for recent in self._recent
            if recent.message.id > last_id
            and audience_allows(viewer, recent.message.event, recent.payload)
        ]


def parse_last_event_id(value: str | None) -> int | None:
    """The id a reconnecting client last saw; an unreadable one counts as very old (0)."""
    if value is None:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 20 else 0


class StreamHub:
    def __init__(
        self,
        database_url: str,
        *,
        queue_size: int,
        connect_timeout: float,
        replay_size: int = 1000,
        replay_secs: float = 300,
    ) -> None:
        self._queue_size = queue_size
        self._connect_timeout = connect_timeout
        self._subscribers: set[Subscriber] = set()
        self._window = ReplayWindow(replay_size, replay_secs)
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

    async def subscribe(self, viewer: Viewer, last_event_id: int | None = None) -> Subscriber:
        """Register a client, with what it missed since `last_event_id`; the listener starts
        with the first one. TimeoutError if the database cannot be reached in time."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._listener.run(), name="stream-hub")
        await asyncio.wait_for(self._ready.wait(), timeout=self._connect_timeout)
        # No await from here on: nothing published between the backlog and the registration.
        backlog = self._window.since(last_event_id, viewer)
        subscriber = Subscriber(viewer, asyncio.Queue(maxsize=self._queue_size), backlog=backlog)
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
        message = StreamMessage(self._window.next_id(), event, orjson.dumps(payload))
        self._window.add(message, payload)
        for subscriber in list(self._subscribers):
            if audience_allows(subscriber.viewer, event, payload) and not subscriber.offer(message):
                self._subscribers.discard(subscriber)
                log.info("stream.slow_client_dropped", user_id=str(subscriber.viewer.user_id))

    def _set_listening(self, listening: bool) -> None:
        if listening and not self._ready.is_set():
            # Whatever was notified while this process was not listening is unknown to it.
            self._window.gap()
            self._ready.set()
        elif not listening:
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
        for message in subscriber.backlog:
            yield message.encode()
        subscriber.backlog.clear()
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
