"""Pooled connections lent to requests: admitted in arrival order, one always left spare.

asyncpg's pool lets a newcomer overtake a waiter, which under more concurrent requests than
connections starves some of them (bench/README.md). Requests therefore queue on an
`asyncio.Semaphore` first, which serves waiters first come, first served, and only then take
a connection from the pool, which by then always has one free for them.

The semaphore admits `pool size - 1` requests, so health checks, the API-key usage flush and
anything else that uses the pool directly always find a connection there.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from starter.core.db import Connection, Pool, Record

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy


class RequestConnections:
    def __init__(self, pool: Pool, pool_size: int) -> None:
        self._pool = pool
        self.limit = max(1, pool_size - 1)
        self._admitted = asyncio.Semaphore(self.limit)

    async def acquire(self) -> Connection:
        await self._admitted.acquire()
        try:
            return await self._pool.acquire()
        except BaseException:
            self._admitted.release()
            raise

    async def release(self, conn: Connection) -> None:
        """Back to the pool (asyncpg rolls back an open transaction and replaces a closed
        connection), then admit the next waiting request."""
        try:
            await self._pool.release(cast("PoolConnectionProxy[Record]", conn))
        finally:
            self._admitted.release()
