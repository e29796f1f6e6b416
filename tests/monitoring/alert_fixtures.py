"""Arranging alerts, metrics, events and tasks as stored rows for the evaluator tests."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from starter.monitoring.alerts import evaluation
from starter.monitoring.alerts.evaluation import EvaluationSummary
from starter.monitoring.alerts.rules import Rule, parse_rule
from starter.tasks.service import count_in_status

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


async def evaluate_alerts(db: asyncpg.Connection, now: datetime | None = None) -> EvaluationSummary:
    """The evaluator with the tasks domain's counter, as the worker and the CLI run it."""
    return await evaluation.evaluate_alerts(db, now, count_tasks=count_in_status)


async def rule_value(db: asyncpg.Connection, rule: Rule, now: datetime) -> float | None:
    return await evaluation.rule_value(db, rule, now, count_in_status)


async def add_alert(
    db: asyncpg.Connection,
    query: str,
    threshold: float | None = None,
    *,
    name: str | None = None,
    status: str = "active",
    open_incident: bool = False,
    severity: str = "high",
    created_by: str | None = None,
) -> uuid.UUID:
    alert_id: uuid.UUID = await db.fetchval(
        """INSERT INTO alerts (name, query, rule, threshold_value, status, open_incident,
                               incident_severity, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""",
        name or f"alert-{uuid.uuid4().hex[:6]}",
        query,
        parse_rule(query).to_json(),
        threshold,
        status,
        open_incident,
        severity,
        None if created_by is None else uuid.UUID(created_by),
    )
    return alert_id


async def add_metric(
    db: asyncpg.Connection,
    name: str,
    value: float,
    at: datetime,
    labels: dict[str, Any] | None = None,
) -> None:
    await db.execute(
        """INSERT INTO metrics (name, metric_type, value, labels, recorded_at)
           VALUES ($1, 'gauge', $2, $3, $4)""",
        name,
        value,
        labels or {},
        at,
    )


async def add_event(
    db: asyncpg.Connection,
    at: datetime,
    *,
    event_type: str = "log",
    level: str | None = None,
    source: str = "api",
) -> None:
    await db.execute(
        "INSERT INTO events (event_type, source, level, recorded_at) VALUES ($1, $2, $3, $4)",
        event_type,
        source,
        level,
        at,
    )


async def add_task(
    db: asyncpg.Connection, status: str, *, since: datetime, task_type: str = "alert_test"
) -> None:
    await db.execute(
        "INSERT INTO task_types (task_type) VALUES ($1) ON CONFLICT DO NOTHING", task_type
    )
    await db.execute(
        """INSERT INTO tasks (task_type, status, created_at, scheduled_at, started_at, completed_at)
           VALUES ($1, $2, $3, $3, $3, $3)""",
        task_type,
        status,
        since,
    )


async def alert_row(db: asyncpg.Connection, alert_id: uuid.UUID) -> asyncpg.Record:
    row = await db.fetchrow("SELECT * FROM alerts WHERE id = $1", alert_id)
    assert row is not None
    return row


async def alert_events(db: asyncpg.Connection, alert_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        """SELECT * FROM events WHERE event_type = 'alert' AND tags ->> 'alert_id' = $1
           ORDER BY created_at, recorded_at""",
        str(alert_id),
    )


class Notifications:
    """Collects `starter_monitoring` notifications on a separate connection."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._conn: asyncpg.Connection | None = None

    async def start(self, database_url: str) -> None:
        self._conn = await asyncpg.connect(database_url)
        await self._conn.add_listener(
            "starter_monitoring", lambda *args: self.received.append(orjson.loads(args[3]))
        )

    async def stop(self) -> None:
        if self._conn is not None:
            await self._conn.close()

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        for _ in range(100):
            if len(self.received) >= count:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)
        return self.received
