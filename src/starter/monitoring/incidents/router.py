"""/monitoring/incidents: create, list, get, update, timeline."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query
from starlette.responses import Response

from starter.auth.deps import CurrentUser
from starter.core.deps import Conn, Tx
from starter.core.envelope import ApiResponse, ok
from starter.core.listing import COUNTED, list_response
from starter.core.pagination import Page, page_params
from starter.core.routing import api_router
from starter.monitoring.incidents import service as incidents
from starter.monitoring.incidents.schemas import (
    CreateIncidentRequest,
    Incident,
    IncidentTimeline,
    UpdateIncidentRequest,
)

router = api_router(tags=["Monitoring"])

IncidentsPage = Annotated[Page, Depends(page_params(50, 1000, clamp=True))]
TimelinePage = Annotated[Page, Depends(page_params(100, 1000, clamp=True))]


@router.get(
    "/monitoring/incidents",
    summary="List incidents",
    description="Newest first; `limit` defaults to 50 (values over 1000 are clamped). "
    "`X-Total-Count` is the number of incidents.",
    response_model=ApiResponse[list[Incident]],
    responses=COUNTED,
)
async def get_incidents(_principal: CurrentUser, conn: Conn, page: IncidentsPage) -> Response:
    found = await incidents.list_incidents(conn, page.limit, page.offset)
    return list_response(Incident, found.rows, total=found.total)


@router.post(
    "/monitoring/incidents",
    summary="Open an incident",
    description="Setting `assigned_to` requires moderator or admin; the assignee must exist.",
)
async def create_incident(
    principal: CurrentUser, body: CreateIncidentRequest, conn: Tx
) -> ApiResponse[Incident]:
    return ok(await incidents.create_incident(conn, principal, body))


@router.get("/monitoring/incidents/{id}", summary="Get an incident")
async def get_incident_by_id(
    _principal: CurrentUser, id: UUID, conn: Conn
) -> ApiResponse[Incident]:
    return ok(await incidents.get_incident(conn, id))


@router.put(
    "/monitoring/incidents/{id}",
    summary="Update an incident",
    description="Creator or moderator+. Absent or null fields stay as they are; moving to "
    "`resolved` stamps `resolved_at`.",
)
async def update_incident(
    principal: CurrentUser, id: UUID, body: UpdateIncidentRequest, conn: Tx
) -> ApiResponse[Incident]:
    return ok(await incidents.update_incident(conn, principal, id, body))


@router.get(
    "/monitoring/incidents/{id}/timeline",
    summary="Incident timeline",
    description="Events from `lookback_hours` (default 1) before the start until resolution "
    "(or now), oldest first; `total_count` counts the whole window.",
)
async def get_incident_timeline(
    _principal: CurrentUser,
    id: UUID,
    conn: Conn,
    page: TimelinePage,
    lookback_hours: Annotated[int, Query(ge=0, le=incidents.MAX_LOOKBACK_HOURS)] = 1,
) -> ApiResponse[IncidentTimeline]:
    return ok(await incidents.timeline(conn, id, lookback_hours, page.limit, page.offset))
