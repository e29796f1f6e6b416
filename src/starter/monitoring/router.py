"""/monitoring: events, metrics, stats, and the public Prometheus export.

Incidents and alerts have their own routers (`incident_router`, `alert_router`).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from starter.auth.deps import CurrentUser, Moderator
from starter.core.deps import Conn, get_pool
from starter.core.envelope import ApiResponse, InputTimestamp, ok
from starter.core.listing import list_response
from starter.core.pagination import Page, page_params
from starter.core.routing import api_router
from starter.monitoring import prometheus, service
from starter.monitoring.schemas import (
    CreateEventRequest,
    CreateMetricRequest,
    Event,
    EventType,
    Metric,
    MetricType,
    MonitoringStats,
)

router = api_router(tags=["Monitoring"])
public_router = api_router(tags=["Monitoring"])

ListPage = Annotated[Page, Depends(page_params(100, 1000))]


@router.get(
    "/monitoring/events",
    summary="List events",
    description="Newest first. `tags` is `key:value[,key:value…]` (all must match); "
    "`start_time`/`end_time` are inclusive; `limit` defaults to 100, at most 1000.",
    response_model=ApiResponse[list[Event]],
)
async def get_events(
    _principal: CurrentUser,
    conn: Conn,
    page: ListPage,
    event_type: EventType | None = None,
    source: str | None = None,
    level: str | None = None,
    start_time: InputTimestamp | None = None,
    end_time: InputTimestamp | None = None,
    tags: str | None = None,
) -> Response:
    query = service.EventFilter(event_type, source, level, start_time, end_time, tags)
    return list_response(Event, await service.list_events(conn, query, page.limit, page.offset))


@router.post(
    "/monitoring/events",
    summary="Create an event",
    description="Users may only write their own or generic sources (see the source rules).",
)
async def create_event(
    principal: CurrentUser, body: CreateEventRequest, conn: Conn
) -> ApiResponse[Event]:
    return ok(await service.create_event(conn, principal, body))


@router.get("/monitoring/events/{id}", summary="Get an event")
async def get_event_by_id(_principal: CurrentUser, id: UUID, conn: Conn) -> ApiResponse[Event]:
    return ok(await service.get_event(conn, id))


@router.get(
    "/monitoring/metrics",
    summary="List metrics",
    description="Newest first; `limit` defaults to 100, at most 1000.",
    response_model=ApiResponse[list[Metric]],
)
async def get_metrics(
    _principal: CurrentUser,
    conn: Conn,
    page: ListPage,
    name: str | None = None,
    metric_type: MetricType | None = None,
    start_time: InputTimestamp | None = None,
    end_time: InputTimestamp | None = None,
) -> Response:
    metrics = await service.list_metrics(
        conn,
        name=name,
        metric_type=metric_type,
        start_time=start_time,
        end_time=end_time,
        limit=page.limit,
        offset=page.offset,
    )
    return list_response(Metric, metrics)


@router.post(
    "/monitoring/metrics",
    summary="Submit a metric",
    description="Users may only write their own or generic metric names.",
)
async def create_metric(
    principal: CurrentUser, body: CreateMetricRequest, conn: Conn
) -> ApiResponse[Metric]:
    return ok(await service.create_metric(conn, principal, body))


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
    prometheus.observe_pool(get_pool(request))
    body = await prometheus.render(conn, await service.stats(conn))
    return Response(body, media_type=prometheus.CONTENT_TYPE)
