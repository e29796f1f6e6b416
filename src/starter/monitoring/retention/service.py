"""Retention: events and metrics older than the configured number of days are deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starter.core.config import Settings
from starter.core.db import Connection
from starter.core.errors import ValidationFailed
from starter.monitoring.retention import repository as repo

PRUNE_BATCH = 5_000


async def prune_old_data(
    conn: Connection, retention_days: int, *, dry_run: bool = False
) -> dict[str, int]:
    """Delete events and metrics recorded more than `retention_days` ago, in batches (each
    batch its own statement, so locks stay short); with `dry_run`, only count them."""
    if retention_days < 0:
        raise ValidationFailed("older_than_days", "must not be negative")
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    counts: dict[str, int] = {}
    for table in repo.RETAINED_TABLES:
        if dry_run:
            counts[table] = await repo.count_older(conn, table, cutoff)
            continue
        total = 0
        while True:
            deleted = await repo.delete_older_batch(conn, table, cutoff, PRUNE_BATCH)
            total += deleted
            if deleted < PRUNE_BATCH:
                break
        counts[table] = total
    return counts


async def run_retention(conn: Connection, settings: Settings) -> dict[str, int]:
    """The worker's hourly job: prune what is older than STARTER__MONITORING__RETENTION_DAYS."""
    return await prune_old_data(conn, settings.monitoring.retention_days)
