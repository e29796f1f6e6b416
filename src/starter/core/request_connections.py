"""Pooled connections lent to requests: admitted in arrival order, passed on under load.

asyncpg's pool lets a newcomer overtake a waiter (measured: p99 over 1 s with p50 at 15 ms
under more concurrent requests than connections), and its release + acquire (a task, a timer
and the reset hook) cost about as much CPU as a query. Here a finishing request hands its
connection straight to the longest-waiting one; with nobody waiting it goes back to the pool.

Requests hold at most `pool size - 1` connections, so health checks, the API-key usage flush
and anything else that uses the pool directly always find one there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING, cast

import asyncpg

from starter.core.db import Connection, Pool, Record

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

# A waiter is served with a connection, or with None: a free slot to fill from the pool.
Waiter = asyncio.Future[Connection | None]


def _unusable(conn: Connection) -> bool:
    try:
        return conn.is_closed() or conn.is_in_transaction()
    except asyncpg.InterfaceError:  # closed, and already given back to the pool by asyncpg
        return True


class RequestConnections:
    def __init__(self, pool: Pool, pool_size: int) -> None:
        self._pool = pool
        self.limit = max(1, pool_size - 1)
        self.lent = 0  # connections (or slots being filled) held by requests
        self._waiters: deque[Waiter] = deque()
        self._returning: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> Connection:
        if self.lent < self.limit and not self._waiters:
            self.lent += 1
            return await self._fill_slot()
        waiter: Waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            served = await waiter
        except asyncio.CancelledError:
            self._withdraw(waiter)
            raise
        return served if served is not None else await self._fill_slot()

    async def release(self, conn: Connection) -> None:
        """Hand `conn` to the next waiting request, or return it to the pool. A closed
        connection or one left inside a transaction always goes through the pool (asyncpg
        replaces the one and rolls the other back); its slot is handed on."""
        if _unusable(conn):
            try:
                await self._to_pool(conn)
            finally:
                self._pass_slot()
            return
        if not self._serve_next(conn):
            self.lent -= 1
            await self._to_pool(conn)

    async def _fill_slot(self) -> Connection:
        try:
            return await self._pool.acquire()
        except BaseException:
            self._pass_slot()
            raise

    async def _to_pool(self, conn: Connection) -> None:
        proxy = cast("PoolConnectionProxy[Record]", conn)  # what `_fill_slot` got from the pool
        await self._pool.release(proxy)

    def _serve_next(self, served: Connection | None) -> bool:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(served)
                return True
        return False

    def _pass_slot(self) -> None:
        if not self._serve_next(None):
            self.lent -= 1

    def _withdraw(self, waiter: Waiter) -> None:
        """A waiter was cancelled: leave the queue, or pass on what it was just served."""
        if not waiter.done() or waiter.cancelled():
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
            return
        served = waiter.result()
        if served is None:
            self._pass_slot()
        elif not self._serve_next(served):
            self.lent -= 1
            task = asyncio.create_task(self._to_pool(served))
            self._returning.add(task)
            task.add_done_callback(self._returning.discard)
