"""A deadline for receiving each request: uvicorn's HTTP protocol, plus a read timeout.

uvicorn has no such setting: `timeout_keep_alive` covers only idle time between requests and
restarts with every byte, so a client sending its headers or body a byte at a time holds a
connection (and, once the headers are in, a request) for as long as it likes. Here the whole
request must arrive within `STARTER__SERVER__READ_TIMEOUT_SECS` of its first byte (of the
connection, for a fresh one); otherwise the client gets 408 `REQUEST_TIMEOUT` and the
connection is closed. Once the request is in, the deadline is off: slow handlers and long
responses (the live stream) are never cut.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import structlog
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from starter.core.envelope import dumps, error_body
from starter.core.errors import RequestTimeout

log = structlog.get_logger("starter.http")


def _timeout_response(read_timeout: float) -> bytes:
    error = RequestTimeout(f"The request did not arrive within {read_timeout:g} s")
    body = dumps(error_body(error.code, error.message))
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class ReadTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a per-request read deadline."""

    def __init__(self, *args: Any, read_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout = read_timeout
        self._deadline: asyncio.TimerHandle | None = None
        self._request_bytes = False  # has a request begun since the last one was complete

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm()  # the next request on a kept-alive connection
        self._request_bytes = True

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        super().handle_websocket_upgrade()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.read_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._request_bytes = False

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self._arm()  # the app is answering; the rest of the body can wait for it
            return
        if self._request_bytes:
            log.info("http.read_timeout", client=self.client, timeout_secs=self.read_timeout)
            self.transport.write(_timeout_response(self.read_timeout))
        self.transport.close()  # a connection that never sent a request just closes


def read_timeout_protocol(read_timeout: float) -> Any:
    """What to pass as uvicorn's `http` (a picklable factory: workers are spawned)."""
    return functools.partial(ReadTimeoutProtocol, read_timeout=read_timeout)
