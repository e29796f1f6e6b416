"""SQL of the alert evaluator: rule values over stored rows, alert state updates.

Every statement is parametrized; the only text spliced in comes from fixed tables keyed by the
typed rule (aggregation, task timestamp column), never from user input.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from starter.core.db import Connection, Record
from starter.monitoring.rule_types import EventsRule, MetricRule, TasksRule

_AGGREGATES = {
    "avg": "avg(value)",
    "min": "min(value)",
    "max": "max(value)",
    "sum": "COALESCE(sum(value), 0)",
    "count": "count(*)",
    # The newest sample in the window.
    "last": "(array_agg(value ORDER BY recorded_at DESC, id DESC))[1]",
}

# How long a task has been "in" a status: since it became ready, started, or finished.
_TASK_SINCE = {
    "pending": "scheduled_at",
    "retrying": "scheduled_at",
    "running": "COALESCE(started_at, updated_at)",
    "completed": "COALESCE(completed_at, updated_at)",
    "failed": "COALESCE(completed_at, updated_at)",
    "cancelled": "COALESCE(completed_at, updated_at)",
}


async def database_now(conn: Connection) -> datetime:
    now: datetime = await conn.fetchval("SELECT clock_timestamp()")
    return now


async def evaluable_alerts(conn: Connection) -> list[Record]:
    return await conn.fetch(
        """SELECT id, name, query, rule, threshold_value, status, firing, open_incident,
                  incident_severity, incident_id, created_by
           FROM alerts WHERE status IN ('active', 'silenced') ORDER BY created_at, id"""
    )


async def metric_value(conn: Connection, rule: MetricRule, now: datetime) -> float | None:
    args: list[Any] = [rule.name, now - timedelta(seconds=rule.window_seconds), now]
    labels = ""
    if rule.where:
        args.append(dict(rule.where))
        labels = " AND labels @> $4::jsonb"
    value = await conn.fetchval(
        f"""SELECT {_AGGREGATES[rule.aggregation]} FROM metrics
            WHERE name = $1 AND recorded_at > $2 AND recorded_at <= $3{labels}""",
        *args,
    )
    return None if value is None else float(value)


async def events_count(conn: Connection, rule: EventsRule, now: datetime) -> float:
    args: list[Any] = [now - timedelta(seconds=rule.window_seconds), now]
    conditions = ["recorded_at > $1", "recorded_at <= $2"]
    for column, value in (
        ("event_type", rule.event_type),
        ("level", rule.level),
        ("source", rule.source),
    ):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} = ${len(args)}")
    count = await conn.fetchval(
        f"SELECT count(*) FROM events WHERE {' AND '.join(conditions)}", *args
    )
    return float(count)


async def tasks_count(conn: Connection, rule: TasksRule, now: datetime) -> float:
    if rule.older_than_seconds is None:
        count = await conn.fetchval("SELECT count(*) FROM tasks WHERE status = $1", rule.status)
    else:
        count = await conn.fetchval(
            f"SELECT count(*) FROM tasks WHERE status = $1 AND {_TASK_SINCE[rule.status]} < $2",
            rule.status,
            now - timedelta(seconds=rule.older_than_seconds),
        )
    return float(count)


async def lock_alert(conn: Connection, alert_id: UUID) -> Record | None:
    """The alert's current state, row-locked, if it is still evaluable."""
    return await conn.fetchrow(
        """SELECT id, status, firing FROM alerts
           WHERE id = $1 AND status IN ('active', 'silenced') FOR UPDATE""",
        alert_id,
    )


async def record_observation(
    conn: Connection, alert_id: UUID, value: float | None, now: datetime
) -> None:
    await conn.execute(
        "UPDATE alerts SET last_value = $2, last_evaluated_at = $3 WHERE id = $1",
        alert_id,
        value,
        now,
    )


async def mark_firing(conn: Connection, alert_id: UUID, value: float | None, now: datetime) -> None:
    await conn.execute(
        """UPDATE alerts SET firing = TRUE, triggered_at = $3, resolved_at = NULL,
                             last_value = $2, last_evaluated_at = $3
           WHERE id = $1""",
        alert_id,
        value,
        now,
    )


async def mark_resolved(
    conn: Connection, alert_id: UUID, value: float | None, now: datetime
) -> None:
    await conn.execute(
        """UPDATE alerts SET firing = FALSE, resolved_at = $3,
                             last_value = $2, last_evaluated_at = $3
           WHERE id = $1""",
        alert_id,
        value,
        now,
    )


async def open_incident_id(conn: Connection, incident_id: UUID | None) -> UUID | None:
    """`incident_id` if that incident is still open or being investigated."""
    if incident_id is None:
        return None
    found: UUID | None = await conn.fetchval(
        "SELECT id FROM incidents WHERE id = $1 AND status IN ('open', 'investigating')",
        incident_id,
    )
    return found


async def link_incident(conn: Connection, alert_id: UUID, incident_id: UUID) -> None:
    await conn.execute("UPDATE alerts SET incident_id = $2 WHERE id = $1", alert_id, incident_id)
