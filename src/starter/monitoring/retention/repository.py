"""Retention SQL over the two retained tables, `events` and `metrics`. The one spliced name
(the table) comes from that fixed pair; everything else is a parameter."""

from __future__ import annotations

from datetime import datetime

from starter.core.db import Connection

RETAINED_TABLES = ("events", "metrics")


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
    if table not in RETAINED_TABLES:
        raise ValueError(f"not a retained table: {table}")
    return table
