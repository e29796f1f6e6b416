"""/tasks: task types (public router) and tasks (protected router).

Static paths (/tasks/stats, /tasks/dead-letter, /tasks/workers) are declared before
/tasks/{id} so they win the match; /tasks/types lives on the public router, included first.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import Depends, Query, Request
from starlette.responses import Response

from starter.auth.deps import (
    AppSettings,
    CurrentUser,
    Moderator,
    api_key_scheme,
    bearer_scheme,
    resolve_principal,
)
from starter.auth.schemas import Principal
from starter.core.deps import Conn, Tx
from starter.core.envelope import ApiResponse, InputTimestamp, error_responses, ok
from starter.core.listing import COUNTED, list_response, whole_list_response
from starter.core.pagination import Page, page_params
from starter.core.query import IdPrefix
from starter.core.routing import api_router
from starter.tasks import service, types
from starter.tasks.schemas import (
    TEXT_SEARCH_MAX_CHARS,
    CreateTaskRequest,
    RegisterTaskTypeRequest,
    TaskResponse,
    TaskSort,
    TaskStats,
    TaskTypeResponse,
    WorkerResponse,
)

public = api_router(prefix="/tasks", tags=["Tasks"])
router = api_router(prefix="/tasks", tags=["Tasks"])

TasksPage = Annotated[Page, Depends(page_params(100, 1000, clamp=True))]

_DESCRIBED = {404: "Task not found"}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(*statuses, described=_DESCRIBED)


async def optional_principal(
    request: Request,
    _bearer: Annotated[object, Depends(bearer_scheme)] = None,
    _api_key: Annotated[object, Depends(api_key_scheme)] = None,
) -> Principal | None:
    """The caller if a valid credential was sent; None (never 401) otherwise."""
    return await resolve_principal(request)


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


# --- task types (public) -----------------------------------------------------------------------


@public.get(
    "/types",
    summary="List active task types",
    response_model=ApiResponse[list[TaskTypeResponse]],
    responses=COUNTED,
)
async def list_task_types(conn: Conn) -> Response:
    return whole_list_response(TaskTypeResponse, await types.list_types(conn))


@public.post(
    "/types",
    summary="Register (upsert) a task type",
    description="Admins, or API keys with the `tasks:register` scope; public when "
    "`STARTER__TASKS__OPEN_TYPE_REGISTRATION=true`.",
)
async def register_task_type(
    body: RegisterTaskTypeRequest, principal: MaybePrincipal, settings: AppSettings, conn: Conn
) -> ApiResponse[TaskTypeResponse]:
    registered = await types.register_type(
        conn,
        principal,
        body.task_type,
        body.description,
        body.payload_schema,
        open_registration=settings.tasks.open_type_registration,
    )
    return ok(registered)


# --- tasks (authenticated) ---------------------------------------------------------------------


@router.post("", summary="Create a task")
async def create_task(
    body: CreateTaskRequest, principal: CurrentUser, conn: Tx
) -> ApiResponse[TaskResponse]:
    return ok(await service.create_task(conn, principal, body))


_LIST_DESCRIPTION = (
    "Users see their own tasks; moderators and admins see all. Filters combine (AND): "
    "`task_type`, `status` and `priority` (an unknown status or priority is ignored), `id` "
    "(the start of the id: at least 4 hex digits), `created_after` (inclusive) and "
    "`created_before` (exclusive), and `q`: text found, without case, in the payload's JSON "
    "or the last error (at most 200 characters; it reads every task the other filters leave, "
    "so narrow it with them on a large queue). `sort`: `priority`, `created_at` or `status` "
    "ascending, `-` in front for the exact reverse; the default `-priority` is critical first, "
    "then oldest. `X-Total-Count` is the number of matching tasks."
)


@router.get(
    "",
    summary="List tasks",
    description=_LIST_DESCRIPTION,
    response_model=ApiResponse[list[TaskResponse]],
    responses=COUNTED,
)
async def list_tasks(
    principal: CurrentUser,
    conn: Conn,
    page: TasksPage,
    task_type: str | None = None,
    status: str | None = None,
    priority: str | None = None,
    id: Annotated[IdPrefix | None, Query(description="The start of the task id.")] = None,
    created_after: InputTimestamp | None = None,
    created_before: InputTimestamp | None = None,
    q: Annotated[str | None, Query(max_length=TEXT_SEARCH_MAX_CHARS)] = None,
    sort: TaskSort = "-priority",
) -> Response:
    query = service.TaskQuery(
        task_type=task_type,
        status=status,
        priority=priority,
        id_prefix=id,
        created_after=created_after,
        created_before=created_before,
        text=q or None,
        sort=sort,
    )
    found = await service.list_tasks(conn, principal, query, limit=page.limit, offset=page.offset)
    return list_response(TaskResponse, found.rows, total=found.total)


@router.get("/stats", summary="Task counts by status (moderator+)")
async def get_stats(principal: CurrentUser, conn: Conn) -> ApiResponse[TaskStats]:
    return ok(await service.stats(conn, principal))


@router.get(
    "/dead-letter",
    summary="Failed tasks (dead-letter queue)",
    description="In the listing's order; `X-Total-Count` is the number of failed tasks.",
    response_model=ApiResponse[list[TaskResponse]],
    responses=COUNTED,
)
async def get_dead_letter_queue(principal: CurrentUser, conn: Conn, page: TasksPage) -> Response:
    failed = await service.dead_letter(conn, principal, limit=page.limit, offset=page.offset)
    return list_response(TaskResponse, failed.rows, total=failed.total)


@router.get(
    "/workers",
    summary="Live workers (moderator+)",
    response_model=ApiResponse[list[WorkerResponse]],
    responses=COUNTED,
)
async def list_workers(_principal: Moderator, settings: AppSettings, conn: Conn) -> Response:
    workers = await service.live_workers(conn, settings.worker.lease_secs)
    return whole_list_response(WorkerResponse, workers)


@router.get("/{id}", summary="Get a task", responses=errors(404))
async def get_task(id: UUID, principal: CurrentUser, conn: Conn) -> ApiResponse[TaskResponse]:
    return ok(await service.get_task(conn, principal, id))


@router.post(
    "/{id}/cancel",
    summary="Cancel a task",
    description="Pending or retrying tasks are cancelled at once; a running task is cancelled "
    "cooperatively by its worker; a finished task answers 400 `INVALID_INPUT` (`Task cannot be "
    "cancelled: it is already completed`, `failed` or `cancelled`).",
    responses=errors(404),
)
async def cancel_task(id: UUID, principal: CurrentUser, conn: Tx) -> ApiResponse[str]:
    await service.cancel_task(conn, principal, id)
    return ok("Task cancelled successfully", f"Task {id} has been cancelled")


@router.post("/{id}/retry", summary="Retry a failed task", responses=errors(404))
async def retry_task(id: UUID, principal: CurrentUser, conn: Tx) -> ApiResponse[str]:
    await service.retry_task(conn, principal, id)
    return ok("Task retried successfully", f"Task {id} has been reset to pending status")


@router.delete("/{id}", summary="Delete a finished task", responses=errors(404))
async def delete_task(id: UUID, principal: CurrentUser, conn: Tx) -> ApiResponse[str]:
    await service.delete_task(conn, principal, id)
    return ok("Task deleted successfully", f"Task {id} has been permanently deleted")


def _attachment(filename: str) -> str:
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/{id}/artifact",
    summary="Download a task's artifact (e.g. a generated report)",
    response_class=Response,
    responses={
        200: {"description": "The artifact", "content": {"application/octet-stream": {}}},
        **errors(404),
    },
)
async def get_task_artifact(id: UUID, principal: CurrentUser, conn: Conn) -> Response:
    found = await service.artifact(conn, principal, id)
    return Response(
        found.content,
        media_type=found.content_type,
        headers={"Content-Disposition": _attachment(found.name)},
    )
