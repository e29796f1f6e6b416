"""Retention: `prune_old_data` and `starter admin prune-monitoring` (dry run deletes nothing)."""

from __future__ import annotations

import asyncpg
import pytest

from starter.core.config import MonitoringSettings
from starter.core.errors import ValidationFailed
from starter.monitoring.retention import service
from starter.worker.jobs import PERIODIC_JOBS
from tests.cli.conftest import cli_env, run_starter
from tests.support.settings import make_settings


async def seed(db: asyncpg.Connection) -> None:
    await db.execute(
        """INSERT INTO events (event_type, source, recorded_at)
           SELECT 'log', 'old', NOW() - INTERVAL '40 days' FROM generate_series(1, 7)"""
    )
    await db.execute(
        """INSERT INTO events (event_type, source, recorded_at) VALUES
           ('log', 'edge', NOW() - INTERVAL '29 days'), ('log', 'new', NOW())"""
    )
    await db.execute(
        """INSERT INTO metrics (name, metric_type, value, recorded_at) VALUES
           ('m', 'gauge', 1, NOW() - INTERVAL '31 days'), ('m', 'gauge', 1, NOW())"""
    )


async def counts(db: asyncpg.Connection) -> tuple[int, int]:
    return (
        await db.fetchval("SELECT COUNT(*) FROM events"),
        await db.fetchval("SELECT COUNT(*) FROM metrics"),
    )


async def test_prune_deletes_only_older_rows(db: asyncpg.Connection) -> None:
    await seed(db)
    assert await service.prune_old_data(db, 30) == {"events": 7, "metrics": 1}
    assert await counts(db) == (2, 1)
    assert {r["source"] for r in await db.fetch("SELECT source FROM events")} == {"edge", "new"}


async def test_prune_in_batches(db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    await seed(db)
    monkeypatch.setattr(service, "PRUNE_BATCH", 2)
    assert await service.prune_old_data(db, 30) == {"events": 7, "metrics": 1}
    assert await counts(db) == (2, 1)


async def test_dry_run_counts_and_deletes_nothing(db: asyncpg.Connection) -> None:
    await seed(db)
    assert await service.prune_old_data(db, 30, dry_run=True) == {"events": 7, "metrics": 1}
    assert await counts(db) == (9, 2)


async def test_negative_days_rejected(db: asyncpg.Connection) -> None:
    with pytest.raises(ValidationFailed):
        await service.prune_old_data(db, -1)


async def test_worker_job_honours_retention_days(db: asyncpg.Connection, database_url: str) -> None:
    await seed(db)
    job = next(j for j in PERIODIC_JOBS if j.name == "monitoring.retention")
    settings = make_settings(database_url, monitoring=MonitoringSettings(retention_days=10))
    assert job.interval(settings) == 3600.0
    assert await job.run(db, settings) == {"events": 8, "metrics": 1}
    assert await counts(db) == (1, 1)


async def test_cli_prune_monitoring(db: asyncpg.Connection, database_url: str) -> None:
    """The real `starter` executable (in-process runs would rebind the app's logging)."""
    await seed(db)
    env = cli_env(database_url)

    async def prune(*args: str) -> tuple[int, str]:
        result = await run_starter("admin", "prune-monitoring", *args, env=env)
        return result.code, result.stdout.strip()

    assert await prune("--older-than-days", "30", "--dry-run") == (
        0,
        "Would delete 7 event(s) and 1 metric(s)",
    )
    assert await counts(db) == (9, 2)
    assert await prune("--older-than-days", "30") == (0, "Deleted 7 event(s) and 1 metric(s)")
    assert await counts(db) == (2, 1)
    code, _ = await prune("--older-than-days", "-1")
    assert code == 2
