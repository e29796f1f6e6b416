"""Incident rules: who may assign and update, `resolved_at`, the timeline window."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import Forbidden, NotFound, ValidationFailed
from starter.core.query import Counted
from starter.monitoring.common import notify
from starter.monitoring.events.service import record_event
from starter.monitoring.incidents import repository as repo
from starter.monitoring.incidents.schemas import (
    CreateIncidentRequest,
    Incident,
    IncidentTimeline,
    TimelineEntry,
    UpdateIncidentRequest,
)
from starter.rbac.policies import MODERATOR_REQUIRED
from starter.rbac.roles import Role

NOT_FOUND = "Incident not found"
MAX_LOOKBACK_HOURS = 876_000  # 100 years: beyond that the window start is out of range


async def _require_assignee(conn: Connection, assignee: UUID | None) -> None:
    if assignee is not None and not await repo.user_exists(conn, assignee):
        raise ValidationFailed("assigned_to", "User not found")


async def _announce(conn: Connection, row: Record, action: str) -> None:
    """Tell live-stream listeners and leave a trace in the event log."""
    summary = {
        "kind": "incident",
        "id": str(row["id"]),
        "status": row["status"],
        "severity": row["severity"],
        "title": row["title"][:200],
        # The live stream also delivers an incident to its creator and assignee.
        "created_by": None if row["created_by"] is None else str(row["created_by"]),
        "assigned_to": None if row["assigned_to"] is None else str(row["assigned_to"]),
    }
    await notify(conn, summary)
    await record_event(
        conn,
        event_type="log",
        source="monitoring",
        message=f"Incident {action}: {row['title'][:200]}",
        level="info",
        tags={"incident_id": summary["id"], "status": row["status"], "severity": row["severity"]},
    )


async def create_incident(
    conn: Connection, principal: Principal, body: CreateIncidentRequest
) -> Incident:
    if body.assigned_to is not None and not principal.role.at_least(Role.MODERATOR):
        raise Forbidden(MODERATOR_REQUIRED)
    await _require_assignee(conn, body.assigned_to)
    row = await repo.insert_incident(
        conn,
        title=body.title,
        description=body.description,
        severity=body.severity,
        created_by=principal.id,
        assigned_to=body.assigned_to,
    )
    await _announce(conn, row, "created")
    return Incident.model_validate(dict(row))


async def list_incidents(conn: Connection, limit: int, offset: int) -> Counted[Record]:
    """Rows of `Incident`, and how many there are."""
    return await repo.list_incidents(conn, limit, offset)


async def get_incident(conn: Connection, incident_id: UUID) -> Incident:
    row = await repo.get_incident(conn, incident_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return Incident.model_validate(dict(row))


async def update_incident(
    conn: Connection, principal: Principal, incident_id: UUID, body: UpdateIncidentRequest
) -> Incident:
    """Runs in the caller's transaction: the row stays locked from the check to the write."""
    current = await repo.get_incident(conn, incident_id, for_update=True)
    if current is None:
        raise NotFound(NOT_FOUND)
    if not principal.role.at_least(Role.MODERATOR) and current["created_by"] != principal.id:
        raise Forbidden("Cannot update this incident")
    await _require_assignee(conn, body.assigned_to)
    row = await repo.update_incident(
        conn,
        incident_id,
        title=body.title,
        description=body.description,
        severity=body.severity,
        status=body.status,
        root_cause=body.root_cause,
        assigned_to=body.assigned_to,
    )
    await _announce(conn, row, "updated")
    return Incident.model_validate(dict(row))


async def timeline(
    conn: Connection, incident_id: UUID, lookback_hours: int, limit: int, offset: int
) -> IncidentTimeline:
    if lookback_hours < 0:
        raise ValidationFailed("lookback_hours", "must not be negative")
    if lookback_hours > MAX_LOOKBACK_HOURS:
        raise ValidationFailed("lookback_hours", f"must be at most {MAX_LOOKBACK_HOURS}")
    incident = await repo.get_incident(conn, incident_id)
    if incident is None:
        raise NotFound(NOT_FOUND)
    start = incident["started_at"] - timedelta(hours=lookback_hours)
    rows, total = await repo.timeline(conn, start, incident["resolved_at"], limit, offset)
    return IncidentTimeline(
        incident_id=incident_id,
        start_time=incident["started_at"],
        end_time=incident["resolved_at"],
        entries=[TimelineEntry.model_validate(dict(row)) for row in rows],
        total_count=total,
    )


async def still_open(conn: Connection, incident_id: UUID | None) -> UUID | None:
    """`incident_id` if that incident is still open or being investigated."""
    return None if incident_id is None else await repo.open_incident_id(conn, incident_id)


async def open_for_alert(
    conn: Connection, *, title: str, description: str, severity: str, created_by: UUID | None
) -> UUID:
    """An incident an alert opens when it fires (announced on the live stream only: the
    alert's own event already records it)."""
    row = await repo.insert_incident(
        conn,
        title=title,
        description=description,
        severity=severity,
        created_by=created_by,
        assigned_to=None,
    )
    await notify(
        conn,
        {
            "kind": "incident",
            "id": str(row["id"]),
            "action": "created",
            "status": row["status"],
            "severity": row["severity"],
            "title": row["title"][:200],
            "created_by": _text(row["created_by"]),
            "assigned_to": _text(row["assigned_to"]),
        },
    )
    incident_id: UUID = row["id"]
    return incident_id


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)
