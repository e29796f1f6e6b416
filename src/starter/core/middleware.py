"""The outermost ASGI middleware: request id, timing, security headers, the request target's
and body's limits (core/input_limits.py) and the last-resort error boundary (500 without
internals, 503 when the database is gone)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starter.core.db import CONNECTION_ERRORS, database_unavailable
from starter.core.deps import discard_request_connection, release_request_connection
from starter.core.envelope import dumps, error_body
from starter.core.errors import AppError, InternalError, PayloadTooLarge, ServiceUnavailable
from starter.core.input_limits import request_target_problem

log = structlog.get_logger("starter.http")

CLIENT_CLOSED_REQUEST = 499  # the access log's status when the client left first (nginx's)
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_STATIC_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _WELL_FORMED_ID.match(candidate) else None
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def error_response_message(error: AppError) -> tuple[Message, Message]:
    body = dumps(error_body(error.code, error.message))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    start: Message = {"type": "http.response.start", "status": error.status, "headers": headers}
    return start, {"type": "http.response.body", "body": body}


class RequestContextMiddleware:
    """Binds a request id to logs and responses, and guarantees an enveloped error."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, access_log: bool = True) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status_holder: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-response-time", f"{elapsed_ms:.2f}ms".encode()))
                headers.extend(_STATIC_HEADERS)
                message = {**message, "headers": headers}
            await send(message)

        declared = _content_length(scope)
        try:
            if target_problem := request_target_problem(scope["path"], scope["query_string"]):
                await self._send_error(target_problem, send_with_headers)
            elif declared is not None and declared > self.max_body_bytes:
                await self._send_error(PayloadTooLarge(), send_with_headers)
            else:
                await self.app(scope, self._limited(receive), send_with_headers)
        except Exception as error:  # the last-resort boundary: never leak internals
            await self._handle_unexpected(error, status_holder, send_with_headers, scope)
        finally:
            await release_request_connection(scope)
            if self.access_log:
                # The web app's files and pages are noise next to the API's requests.
                record = log.info if scope["path"].startswith("/api/") else log.debug
                record(
                    "http.request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status_holder["status"],
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )

    def _limited(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge()
            return message

        return limited_receive

    async def _handle_unexpected(
        self, error: Exception, status_holder: dict[str, Any], send: Send, scope: Scope
    ) -> None:
        if isinstance(error, ClientDisconnect):
            # The client went away before the request arrived: nobody to answer, no fault.
            status_holder["status"] = CLIENT_CLOSED_REQUEST
            log.info("http.client_disconnected", path=scope["path"])
            return
        if isinstance(error, AppError):
            app_error: AppError = error
        elif database_unavailable(error):
            if isinstance(error, CONNECTION_ERRORS):
                discard_request_connection(scope["state"])
            log.error("database.unavailable", error=type(error).__name__, path=scope["path"])
            app_error = ServiceUnavailable()
        else:
            log.exception("http.unhandled_error", path=scope["path"])
            app_error = InternalError()
        if status_holder["started"]:
            return  # headers already went out; the connection will just end
        await self._send_error(app_error, send)

    @staticmethod
    async def _send_error(error: AppError, send: Send) -> None:
        start, body = error_response_message(error)
        await send(start)
        await send(body)
