"""/monitoring/stats (moderator+) and the public Prometheus export."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from starter.auth.deps import Moderator
from starter.core.deps import Conn, get_pool
from starter.core.envelope import ApiResponse, ok
from starter.core.routing import api_router
from starter.monitoring.stats import service
from starter.monitoring.stats.schemas import MonitoringStats
from starter.observability.prometheus import CONTENT_TYPE

router = api_router(tags=["Monitoring"])
public_router = api_router(tags=["Monitoring"])


@router.get("/monitoring/stats", summary="Monitoring statistics (moderator+)")
async def get_monitoring_stats(_principal: Moderator, conn: Conn) -> ApiResponse[MonitoringStats]:
    return ok(await service.stats(conn))


@public_router.get(
    "/monitoring/metrics/prometheus",
    summary="Prometheus exposition",
    description="System counters, stored metrics of the last 24 h and the app's own metrics "
    "(HTTP by route, DB pool, tasks). Public and never rate limited.",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def get_prometheus_metrics(request: Request, conn: Conn) -> Response:
    body = await service.prometheus_text(conn, get_pool(request))
    return Response(body, media_type=CONTENT_TYPE)
