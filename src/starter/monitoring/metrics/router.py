"""/monitoring/metrics: list and submit metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from starter.auth.deps import CurrentUser
from starter.core.deps import Conn
from starter.core.envelope import ApiResponse, InputTimestamp, ok
from starter.core.listing import list_response
from starter.core.pagination import Page, page_params
from starter.core.routing import api_router
from starter.monitoring.batch import BatchResult
from starter.monitoring.metrics import service
from starter.monitoring.metrics.schemas import (
    CreateMetricBatchRequest,
    CreateMetricRequest,
    Metric,
    MetricType,
)

router = api_router(tags=["Monitoring"])

ListPage = Annotated[Page, Depends(page_params(100, 1000))]


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


@router.post(
    "/monitoring/metrics/batch",
    summary="Submit up to 1000 metrics",
    description="Each metric is checked as `POST /monitoring/metrics` checks its body; the ones "
    "that pass are stored in one statement, the others listed in `rejected` by index with the "
    "status, code and message the single endpoint would have answered. More than 1000 is a "
    "400 `BATCH_TOO_LARGE` (docs/monitoring.md, Batch ingest).",
)
async def create_metrics(
    principal: CurrentUser, body: CreateMetricBatchRequest, conn: Conn
) -> ApiResponse[BatchResult]:
    return ok(await service.create_metrics(conn, principal, body))
