"""Crash recovery: re-queue running tasks whose worker stopped heartbeating; prune dead workers."""

from __future__ import annotations

import structlog

from starter.core.config import Settings
from starter.core.db import Connection
from starter.tasks import metrics
from starter.tasks.queue import record_status_event
from starter.worker import repository as repo

log = structlog.get_logger(__name__)


async def reap_expired_leases(conn: Connection, settings: Settings) -> int:
    """Expired leases → `retrying` (due now) or dead-lettered; each with its reason recorded."""
    total = 0
    while True:
        async with conn.transaction():
            rows = await repo.reap_expired(conn)
            for row in rows:
                log.warning(
                    "task.lease_expired",
                    task_id=str(row["id"]),
                    task_type=row["task_type"],
                    status=row["status"],
                    attempt=row["current_attempt"],
                    reason=row["last_error"],
                )
                await record_status_event(
                    conn,
                    task_id=row["id"],
                    task_type=row["task_type"],
                    status=row["status"],
                    message=row["last_error"],
                )
        for row in rows:
            metrics.TASK_LEASES_EXPIRED.labels(row["task_type"]).inc()
            metrics.count_status_change(row["task_type"], row["status"])
        total += len(rows)
        if len(rows) < 500:
            return total


async def prune_dead_workers(conn: Connection, settings: Settings) -> int:
    deleted = await repo.prune_dead_workers(conn, settings.worker.prune_dead_workers_after_secs)
    if deleted:
        log.info("worker.pruned_dead_workers", deleted=deleted)
    return deleted
