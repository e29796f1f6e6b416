"""SQL of the alert evaluator over the `alerts` table: what to evaluate, state updates.

The rule values are read through their owners (metrics and events services, the tasks
domain's counter the caller passes in). Parametrized only.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from starter.core.db import Connection, Record


async def database_now(conn: Connection) -> datetime:
    now: datetime = await conn.fetchval("SELECT clock_timestamp()")
    return now


async def evaluable_alerts(conn: Connection) -> list[Record]:
    return await conn.fetch(
        """SELECT id, name, query, rule, threshold_value, status, firing, open_incident,
                  incident_severity, incident_id, created_by
           FROM alerts WHERE status IN ('active', 'silenced') ORDER BY created_at, id"""
    )


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


async def link_incident(conn: Connection, alert_id: UUID, incident_id: UUID) -> None:
    await conn.execute("UPDATE alerts SET incident_id = $2 WHERE id = $1", alert_id, incident_id)
