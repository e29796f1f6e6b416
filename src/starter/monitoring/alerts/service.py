"""Alert CRUD rules: the query must parse into a typed rule (stored as JSON, never SQL)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import NotFound, ValidationFailed
from starter.monitoring.alerts import repository as repo
from starter.monitoring.alerts.rules import RuleSyntaxError, parse_rule
from starter.monitoring.alerts.schemas import Alert, CreateAlertRequest, UpdateAlertRequest
from starter.monitoring.common import notify

NOT_FOUND = "Alert not found"


def _parse(query: str, threshold_value: float | None) -> dict[str, Any]:
    try:
        rule = parse_rule(query)
    except RuleSyntaxError as error:
        raise ValidationFailed("query", error.message) from None
    if rule.effective_comparison(threshold_value) is None:
        raise ValidationFailed(
            "threshold_value", "required unless the query ends with a comparison"
        )
    return rule.to_json()


async def _announce(conn: Connection, row: Record, action: str) -> None:
    await notify(
        conn,
        {
            "kind": "alert",
            "id": str(row["id"]),
            "action": action,
            "name": row["name"][:200],
            "status": row["status"],
            "firing": row["firing"],
        },
    )


async def create_alert(conn: Connection, principal: Principal, body: CreateAlertRequest) -> Alert:
    rule = _parse(body.query, body.threshold_value)
    row = await repo.insert_alert(
        conn,
        name=body.name,
        description=body.description,
        query=body.query,
        rule=rule,
        threshold_value=body.threshold_value,
        open_incident=body.open_incident,
        incident_severity=body.incident_severity,
        created_by=principal.id,
    )
    await _announce(conn, row, "created")
    return Alert.model_validate(dict(row))


async def list_alerts(conn: Connection) -> list[Record]:
    """Rows of `Alert`."""
    return await repo.list_alerts(conn)


async def get_alert(conn: Connection, alert_id: UUID) -> Alert:
    row = await repo.get_alert(conn, alert_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return Alert.model_validate(dict(row))


async def update_alert(conn: Connection, alert_id: UUID, body: UpdateAlertRequest) -> Alert:
    """Runs in the caller's transaction with the row locked."""
    current = await repo.get_alert(conn, alert_id, for_update=True)
    if current is None:
        raise NotFound(NOT_FOUND)
    rule = None
    if body.query is not None or body.threshold_value is not None:
        threshold = (
            body.threshold_value if body.threshold_value is not None else current["threshold_value"]
        )
        rule = _parse(body.query if body.query is not None else current["query"], threshold)
    row = await repo.update_alert(
        conn,
        alert_id,
        name=body.name,
        description=body.description,
        query=body.query,
        rule=rule,
        threshold_value=body.threshold_value,
        status=body.status,
        open_incident=body.open_incident,
        incident_severity=body.incident_severity,
    )
    await _announce(conn, row, "updated")
    return Alert.model_validate(dict(row))


async def delete_alert(conn: Connection, alert_id: UUID) -> None:
    if not await repo.delete_alert(conn, alert_id):
        raise NotFound(NOT_FOUND)
    await notify(conn, {"kind": "alert", "id": str(alert_id), "action": "deleted"})
