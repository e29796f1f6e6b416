"""API-key usage counted in memory and written in batches, not on every request."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from uuid import UUID

import structlog

from starter.auth import repository
from starter.core.db import Pool

log = structlog.get_logger(__name__)


class ApiKeyUsageRecorder:
    def __init__(self) -> None:
        self._pending: dict[UUID, tuple[int, datetime]] = {}

    def record(self, key_id: UUID) -> None:
        count, _ = self._pending.get(key_id, (0, datetime.now(UTC)))
        self._pending[key_id] = (count + 1, datetime.now(UTC))

    async def flush(self, pool: Pool) -> int:
        """Write the buffered counts; returns how many keys were updated."""
        if not self._pending:
            return 0
        batch, self._pending = self._pending, {}
        usage = [(key_id, count, last) for key_id, (count, last) in batch.items()]
        try:
            async with pool.acquire() as conn:
                await repository.add_api_key_usage(conn, usage)
        except Exception:
            log.warning("api_keys.usage_flush_failed", keys=len(usage))
            for key_id, count, last in usage:  # keep them for the next attempt
                previous, newer = self._pending.get(key_id, (0, last))
                self._pending[key_id] = (previous + count, max(last, newer))
            return 0
        return len(usage)

    async def run(self, pool: Pool, interval_secs: float) -> None:
        """Flush periodically until cancelled, then flush once more."""
        try:
            while True:
                await asyncio.sleep(interval_secs)
                await self.flush(pool)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.flush(pool))
