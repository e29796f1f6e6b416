"""/tasks console endpoints: queue metrics, bulk actions, attempt history (docs/tasks.md).

Literal paths (/tasks/metrics, /tasks/bulk) never match /tasks/{id} (`JsonBodyRoute.matches`).
"""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from starter.auth.deps import AppSettings, CurrentUser
from starter.core.deps import Conn, Tx
from starter.core.envelope import ApiResponse, ok
from starter.core.listing import list_response
from starter.core.routing import api_router
from starter.tasks import console_service as service
from starter.tasks.console_schemas import (
    AttemptResponse,
    BulkRequest,
    BulkResponse,
    MetricsWindow,
    QueueMetrics,
)
from starter.tasks.router import errors

router = api_router(prefix="/tasks", tags=["Tasks"])


@router.get(
    "/metrics",
    summary="Queue metrics over a window",
    description="Per-bucket created, completed and failed counts (`1h`: 60 buckets of a "
    "minute; `24h`: 24 of an hour; `7d`: 168 of an hour; the last bucket holds now), and per "
    "task type: queue depth, the oldest due task's wait, p50/p95 wait and run times and the "
    "failure rate of the tasks finished in the window. A user's figures cover their own "
    "tasks (and no workers); moderators and admins see every task and the live workers.",
)
async def get_queue_metrics(
    principal: CurrentUser, settings: AppSettings, conn: Conn, window: MetricsWindow = "24h"
) -> ApiResponse[QueueMetrics]:
    metrics = await service.queue_metrics(conn, principal, window, settings.worker.lease_secs)
    return ok(metrics)


@router.post(
    "/bulk",
    summary="Retry, cancel or delete many tasks",
    description="Either `ids` or `filter` (400 otherwise). Each task follows the rules of the "
    "single action (retry: failed; cancel: pending, retrying or running; delete: finished) "
    "and gets its own outcome: `ok`, `not_found` (missing or not the caller's) or "
    "`invalid_state`. One transaction; at most 10,000 tasks per call.",
)
async def bulk_tasks(
    body: BulkRequest, principal: CurrentUser, conn: Tx
) -> ApiResponse[BulkResponse]:
    return ok(await service.bulk(conn, principal, body))


@router.get(
    "/{id}/attempts",
    summary="A task's attempt history",
    description="Each finished run (start, end, outcome, error and the handler's traceback), "
    "oldest first, then the run in progress. 404 `Task not found` as for `GET /tasks/{id}`.",
    response_model=ApiResponse[list[AttemptResponse]],
    responses=errors(404),
)
async def list_task_attempts(id: UUID, principal: CurrentUser, conn: Conn) -> Response:
    return list_response(AttemptResponse, await service.attempts(conn, principal, id))
