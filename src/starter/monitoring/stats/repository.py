"""The monitoring-wide counts of GET /monitoring/stats and the Prometheus system block: one
read across the four monitoring tables (each sub-package writes its own)."""

from __future__ import annotations

from starter.core.db import Connection, Record


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
