"""/monitoring/alerts: rule-based alerts (reads for everyone, writes for moderator+)."""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from starter.auth.deps import CurrentUser, Moderator
from starter.core.deps import Conn, Tx
from starter.core.envelope import ApiResponse, ok
from starter.core.listing import COUNTED, whole_list_response
from starter.core.routing import api_router
from starter.monitoring.alerts import service as alerts
from starter.monitoring.alerts.schemas import Alert, CreateAlertRequest, UpdateAlertRequest

router = api_router(tags=["Monitoring"])


@router.get(
    "/monitoring/alerts",
    summary="List alerts",
    description="Newest first.",
    response_model=ApiResponse[list[Alert]],
    responses=COUNTED,
)
async def get_alerts(_principal: CurrentUser, conn: Conn) -> Response:
    return whole_list_response(Alert, await alerts.list_alerts(conn))


@router.post(
    "/monitoring/alerts",
    summary="Create an alert (moderator+)",
    description="`query` must parse as an alert rule; a rule that does not is a 400 naming "
    "the problem.",
)
async def create_alert(
    principal: Moderator, body: CreateAlertRequest, conn: Tx
) -> ApiResponse[Alert]:
    return ok(await alerts.create_alert(conn, principal, body))


@router.get("/monitoring/alerts/{id}", summary="Get an alert")
async def get_alert(_principal: CurrentUser, id: UUID, conn: Conn) -> ApiResponse[Alert]:
    return ok(await alerts.get_alert(conn, id))


@router.put(
    "/monitoring/alerts/{id}",
    summary="Update an alert (moderator+)",
    description="Absent or null fields stay as they are; a new `query` is parsed again.",
)
async def update_alert(
    _principal: Moderator, id: UUID, body: UpdateAlertRequest, conn: Tx
) -> ApiResponse[Alert]:
    return ok(await alerts.update_alert(conn, id, body))


@router.delete(
    "/monitoring/alerts/{id}",
    summary="Delete an alert (moderator+)",
)
async def delete_alert(_principal: Moderator, id: UUID, conn: Tx) -> ApiResponse[str]:
    await alerts.delete_alert(conn, id)
    return ok("Alert deleted successfully")
