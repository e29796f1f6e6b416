"""Request-scoped database access. The boundary owns the connection and the transaction.

`Conn` and `Tx` are plain dependencies. The request's connection is taken on first use (by the
auth guard on a cache miss, or by `Conn`) and handed back by `RequestContextMiddleware` once
the response has been sent (`release_request_connection`), so it is one connection per request
whoever asks for it first.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, MutableMapping
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import Depends, Request

from starter.core.db import Connection, Pool
from starter.core.request_connections import RequestConnections

REQUEST_CONNECTION = "db_connection"
log = structlog.get_logger(__name__)


def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


async def get_conn(request: Request) -> Connection:
    """One pooled connection per request (shared by auth and the handler), taken on first use
    in arrival order (`core/request_connections.py`)."""
    state: dict[str, Any] = request.scope["state"]
    conn: Connection | None = state.get(REQUEST_CONNECTION)
    if conn is None:
        lender: RequestConnections = request.app.state.request_connections
        conn = state[REQUEST_CONNECTION] = await lender.acquire()
    return conn


def discard_request_connection(state: MutableMapping[str, Any]) -> None:
    """The database went away mid-request: never hand this connection back for reuse."""
    conn: Connection | None = state.get(REQUEST_CONNECTION)
    if conn is not None:
        # The pool may already have detached a connection the server closed.
        with contextlib.suppress(asyncpg.InterfaceError):
            conn.terminate()


async def release_request_connection(scope: MutableMapping[str, Any]) -> None:
    """Pass the request's connection (if it took one) on to a waiting request or back to the
    pool; an open transaction is rolled back by asyncpg, a broken connection replaced."""
    conn: Connection | None = scope.get("state", {}).pop(REQUEST_CONNECTION, None)
    if conn is None:
        return
    lender: RequestConnections = scope["app"].state.request_connections
    try:
        await lender.release(conn)
    except Exception as error:  # the response is already out; only the pool can suffer
        log.warning("database.release_failed", error=type(error).__name__)


async def get_tx(conn: Annotated[Connection, Depends(get_conn)]) -> AsyncIterator[Connection]:
    """The request's connection inside one transaction, committed before the response."""
    async with conn.transaction():
        yield conn


Conn = Annotated[Connection, Depends(get_conn)]
# scope="function": commit happens before the response is sent, so a failed commit is a 5xx.
Tx = Annotated[Connection, Depends(get_tx, scope="function")]
