"""Request-scoped database access. The boundary owns the connection and the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from starter.core.db import CONNECTION_ERRORS, Connection, Pool


def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


async def get_conn(request: Request) -> AsyncIterator[Connection]:
    """One pooled connection per request (shared by auth and the handler)."""
    async with get_pool(request).acquire() as conn:
        try:
            yield conn
        except CONNECTION_ERRORS:
            # Never hand a broken connection back: the pool replaces it on the next acquire.
            conn.terminate()
            raise


async def get_tx(conn: Annotated[Connection, Depends(get_conn)]) -> AsyncIterator[Connection]:
    """The request's connection inside one transaction, committed before the response."""
    async with conn.transaction():
        yield conn


Conn = Annotated[Connection, Depends(get_conn)]
# scope="function": commit happens before the response is sent, so a failed commit is a 5xx.
Tx = Annotated[Connection, Depends(get_tx, scope="function")]
