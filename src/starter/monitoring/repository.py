"""Monitoring SQL for events, metrics, the stats counts, retention and change notifications.

Incidents and alerts have their own (`incident_repository`, `alert_repository`, and the
evaluator's `evaluation_repository`). Parametrized only; the one spliced name (the retained
table) comes from a fixed pair.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from starter.core.db import Connection, Record

EVENT_COLUMNS = "id, event_type, source, message, level, tags, payload, recorded_at, created_at"
METRIC_COLUMNS = "id, name, metric_type, value, labels, recorded_at, created_at"
CHANNEL = "starter_monitoring"


async def notify(conn: Connection, payload: dict[str, Any]) -> None:
    await conn.execute("SELECT pg_notify($1, $2::jsonb::text)", CHANNEL, payload)


# --- events ---------------------------------------------------------------------------------


async def insert_event(
    conn: Connection,
    *,
    event_type: str,
    source: str,
    message: str | None,
    level: str | None,
    tags: dict[str, Any],
    payload: dict[str, Any],
    recorded_at: datetime | None = None,
) -> Record:
    row = await conn.fetchrow(
        f"""INSERT INTO events (event_type, source, message, level, tags, payload, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, NOW()))
            RETURNING {EVENT_COLUMNS}""",
        event_type,
        source,
        message,
        level,
        tags,
        payload,
        recorded_at,
    )
    assert row is not None
    return row


class _Where:
    """AND-ed conditions over positional parameters; only the filters given appear in the SQL
    (a `$n IS NULL OR …` form would let a cached generic plan ignore the indexes)."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.args: list[Any] = []

    def add(self, template: str, value: Any) -> None:
        if value is None:
            return
        self.args.append(value)
        self.conditions.append(template.format(f"${len(self.args)}"))

    def sql(self) -> str:
        return f"WHERE {' AND '.join(self.conditions)}" if self.conditions else ""

    def page(self, limit: int, offset: int) -> str:
        self.args += [limit, offset]
        return f"LIMIT ${len(self.args) - 1} OFFSET ${len(self.args)}"


async def list_events(
    conn: Connection,
    *,
    event_type: str | None,
    source: str | None,
    level: str | None,
    start_time: datetime | None,
    end_time: datetime | None,
    tags: dict[str, str],
    limit: int,
    offset: int,
) -> list[Record]:
    where = _Where()
    where.add("event_type = {}", event_type)
    where.add("source = {}", source)
    where.add("level = {}", level)
    where.add("recorded_at >= {}", start_time)
    where.add("recorded_at <= {}", end_time)
    # One containment object for all pairs (AND), served by the GIN jsonb_path_ops index.
    where.add("tags @> {}::jsonb", tags or None)
    page = where.page(limit, offset)
    return await conn.fetch(
        f"SELECT {EVENT_COLUMNS} FROM events {where.sql()} ORDER BY recorded_at DESC {page}",
        *where.args,
    )


async def get_event(conn: Connection, event_id: UUID) -> Record | None:
    return await conn.fetchrow(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = $1", event_id)


# --- metrics --------------------------------------------------------------------------------


async def insert_metric(
    conn: Connection,
    *,
    name: str,
    metric_type: str,
    value: float,
    labels: dict[str, str],
    recorded_at: datetime | None,
) -> Record:
    row = await conn.fetchrow(
        f"""INSERT INTO metrics (name, metric_type, value, labels, recorded_at)
            VALUES ($1, $2, $3, $4, COALESCE($5, NOW()))
            RETURNING {METRIC_COLUMNS}""",
        name,
        metric_type,
        value,
        labels,
        recorded_at,
    )
    assert row is not None
    return row


async def list_metrics(
    conn: Connection,
    *,
    name: str | None,
    metric_type: str | None,
    start_time: datetime | None,
    end_time: datetime | None,
    limit: int,
    offset: int,
) -> list[Record]:
    where = _Where()
    where.add("name = {}", name)
    where.add("metric_type = {}", metric_type)
    where.add("recorded_at >= {}", start_time)
    where.add("recorded_at <= {}", end_time)
    page = where.page(limit, offset)
    return await conn.fetch(
        f"SELECT {METRIC_COLUMNS} FROM metrics {where.sql()} ORDER BY recorded_at DESC {page}",
        *where.args,
    )


async def recent_metric_series(conn: Connection, max_rows: int) -> list[Record]:
    """Latest sample per (name, labels) among the newest `max_rows` rows of the last 24 h."""
    return await conn.fetch(
        """SELECT DISTINCT ON (name, labels) name, metric_type, value, labels, recorded_at
           FROM (SELECT name, metric_type, value, labels, recorded_at FROM metrics
                 WHERE recorded_at >= NOW() - INTERVAL '24 hours'
                 ORDER BY recorded_at DESC LIMIT $1) AS recent
           ORDER BY name, labels, recorded_at DESC""",
        max_rows,
    )


# --- stats and retention ---------------------------------------------------------------------


async def stats(conn: Connection) -> Record:
    row = await conn.fetchrow(
        """SELECT
             (SELECT COUNT(*) FROM events) AS total_events,
             (SELECT COUNT(*) FROM metrics) AS total_metrics,
             (SELECT COUNT(*) FROM alerts WHERE status = 'active') AS active_alerts,
             (SELECT COUNT(*) FROM incidents WHERE status IN ('open', 'investigating'))
                AS open_incidents,
             (SELECT COUNT(*) FROM events WHERE created_at >= NOW() - INTERVAL '1 hour')
                AS events_last_hour,
             (SELECT COUNT(*) FROM metrics WHERE created_at >= NOW() - INTERVAL '1 hour')
                AS metrics_last_hour"""
    )
    assert row is not None
    return row


async def count_older(conn: Connection, table: str, cutoff: datetime) -> int:
    count = await conn.fetchval(
        f"SELECT COUNT(*) FROM {_retained(table)} WHERE recorded_at < $1", cutoff
    )
    return int(count)


async def delete_older_batch(conn: Connection, table: str, cutoff: datetime, batch: int) -> int:
    """Delete up to `batch` rows older than `cutoff`; the number deleted."""
    status = await conn.execute(
        f"""DELETE FROM {_retained(table)} WHERE id IN (
              SELECT id FROM {_retained(table)} WHERE recorded_at < $1 LIMIT $2)""",
        cutoff,
        batch,
    )
    return int(status.split()[-1])


def _retained(table: str) -> str:
    if table not in ("events", "metrics"):
        raise ValueError(f"not a retained table: {table}")
    return table
