"""SQL of the `metrics` table. Parametrized only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from starter.core.db import Connection, Record
from starter.core.query import Where

METRIC_COLUMNS = "id, name, metric_type, value, labels, recorded_at, created_at"
# The SQL of each aggregation an alert rule may name; the key comes from the typed rule.
AGGREGATES = {
    "avg": "avg(value)",
    "min": "min(value)",
    "max": "max(value)",
    "sum": "COALESCE(sum(value), 0)",
    "count": "count(*)",
    # The newest sample in the window.
    "last": "(array_agg(value ORDER BY recorded_at DESC, id DESC))[1]",
}


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


@dataclass
class MetricColumns:
    """The rows of one batch insert, column by column; `labels` as JSON text."""

    name: list[str] = field(default_factory=list)
    metric_type: list[str] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    recorded_at: list[datetime | None] = field(default_factory=list)


_INSERT_BATCH_SQL = """
WITH input AS MATERIALIZED (
    SELECT gen_random_uuid() AS id, u.ord, u.name, u.metric_type, u.value,
           u.labels::jsonb AS labels, COALESCE(u.recorded_at, now()) AS recorded_at
      FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::timestamptz[])
           WITH ORDINALITY AS u(name, metric_type, value, labels, recorded_at, ord)
), inserted AS (
    INSERT INTO metrics (id, name, metric_type, value, labels, recorded_at)
    SELECT id, name, metric_type, value, labels, recorded_at FROM input
)
SELECT array_agg(id ORDER BY ord) FROM input
"""


async def insert_metrics(conn: Connection, rows: MetricColumns) -> list[UUID]:
    """Insert the rows in one statement; their new ids, in order."""
    ids: list[UUID] = await conn.fetchval(
        _INSERT_BATCH_SQL, rows.name, rows.metric_type, rows.value, rows.labels, rows.recorded_at
    )
    return ids


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
    where = Where()
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


async def aggregate(
    conn: Connection,
    *,
    name: str,
    aggregation: str,
    after: datetime,
    until: datetime,
    labels: dict[str, str],
) -> float | None:
    """`aggregation` of the samples of `name` in (after, until] whose labels contain `labels`;
    None when there is no sample (count and sum are 0)."""
    args: list[Any] = [name, after, until]
    condition = ""
    if labels:
        args.append(labels)
        condition = " AND labels @> $4::jsonb"
    value = await conn.fetchval(
        f"""SELECT {AGGREGATES[aggregation]} FROM metrics
            WHERE name = $1 AND recorded_at > $2 AND recorded_at <= $3{condition}""",
        *args,
    )
    return None if value is None else float(value)
