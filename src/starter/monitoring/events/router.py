"""/monitoring/events: list, read and write events."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from starlette.responses import Response

from starter.auth.deps import CurrentUser
from starter.core.config import Settings
from starter.core.deps import Conn
from starter.core.envelope import ApiResponse, InputTimestamp, ok
from starter.core.listing import list_response, record_response
from starter.core.pagination import Page, page_params
from starter.core.routing import api_router
from starter.monitoring.batch import BatchResult
from starter.monitoring.events import service
from starter.monitoring.events.schemas import (
    CreateEventBatchRequest,
    CreateEventRequest,
    Event,
    EventType,
)

router = api_router(tags=["Monitoring"])

ListPage = Annotated[Page, Depends(page_params(100, 1000))]


def _synchronous_commit(request: Request) -> bool:
    """The ingest durability setting (docs/monitoring.md, "Ingest durability")."""
    settings: Settings = request.app.state.settings
    return settings.monitoring.ingest_synchronous_commit


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
    response_model=ApiResponse[Event],
)
async def create_event(
    request: Request, principal: CurrentUser, body: CreateEventRequest, conn: Conn
) -> Response:
    row = await service.create_event(
        conn, principal, body, synchronous_commit=_synchronous_commit(request)
    )
    return record_response(Event, row)


@router.post(
    "/monitoring/events/batch",
    summary="Create up to 1000 events",
    description="Each event is checked as `POST /monitoring/events` checks its body; the ones "
    "that pass are stored in one statement, the others listed in `rejected` by index with the "
    "status, code and message the single endpoint would have answered. More than 1000 is a "
    "400 `BATCH_TOO_LARGE` (docs/monitoring.md, Batch ingest).",
)
async def create_events(
    request: Request, principal: CurrentUser, body: CreateEventBatchRequest, conn: Conn
) -> ApiResponse[BatchResult]:
    result = await service.create_events(
        conn, principal, body, synchronous_commit=_synchronous_commit(request)
    )
    return ok(result)


@router.get("/monitoring/events/{id}", summary="Get an event")
async def get_event_by_id(_principal: CurrentUser, id: UUID, conn: Conn) -> ApiResponse[Event]:
    return ok(await service.get_event(conn, id))
