"""Alert SQL for the CRUD endpoints (the evaluator keeps its own state updates). Parametrized."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starter.core.db import Connection, Record

ALERT_COLUMNS = (
    "id, name, description, query, threshold_value, status, triggered_at, resolved_at, "
    "created_by, created_at, updated_at, firing, last_value, last_evaluated_at, "
    "open_incident, incident_severity, incident_id"
)


async def insert_alert(
    conn: Connection,
    *,
    name: str,
    description: str | None,
    query: str,
    rule: dict[str, Any],
    threshold_value: float | None,
    open_incident: bool,
    incident_severity: str,
    created_by: UUID,
) -> Record:
    row = await conn.fetchrow(
        f"""INSERT INTO alerts (name, description, query, rule, threshold_value, open_incident,
                                incident_severity, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ALERT_COLUMNS}""",
        name,
        description,
        query,
        rule,
        threshold_value,
        open_incident,
        incident_severity,
        created_by,
    )
    assert row is not None
    return row


async def list_alerts(conn: Connection) -> list[Record]:
    return await conn.fetch(f"SELECT {ALERT_COLUMNS} FROM alerts ORDER BY created_at DESC, id")


async def get_alert(conn: Connection, alert_id: UUID, *, for_update: bool = False) -> Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1{lock}", alert_id)


async def update_alert(
    conn: Connection,
    alert_id: UUID,
    *,
    name: str | None,
    description: str | None,
    query: str | None,
    rule: dict[str, Any] | None,
    threshold_value: float | None,
    status: str | None,
    open_incident: bool | None,
    incident_severity: str | None,
) -> Record:
    """COALESCE semantics. Resolving by hand stops the alert firing and stamps `resolved_at`."""
    row = await conn.fetchrow(
        f"""UPDATE alerts SET
              name = COALESCE($2, name),
              description = COALESCE($3, description),
              query = COALESCE($4, query),
              rule = COALESCE($5, rule),
              threshold_value = COALESCE($6, threshold_value),
              status = COALESCE($7, status),
              open_incident = COALESCE($8, open_incident),
              incident_severity = COALESCE($9, incident_severity),
              firing = CASE WHEN $7 = 'resolved' THEN FALSE ELSE firing END,
              resolved_at = CASE WHEN $7 = 'resolved' AND status <> 'resolved' THEN NOW()
                                 ELSE resolved_at END
            WHERE id = $1 RETURNING {ALERT_COLUMNS}""",
        alert_id,
        name,
        description,
        query,
        rule,
        threshold_value,
        status,
        open_incident,
        incident_severity,
    )
    assert row is not None
    return row


async def delete_alert(conn: Connection, alert_id: UUID) -> bool:
    status = await conn.execute("DELETE FROM alerts WHERE id = $1", alert_id)
    return status != "DELETE 0"
