"""GET /stream: Server-Sent Events of the changes the caller may see (see `stream.service`).

Authenticated like every protected route (bearer token, API key or session cookie), but with
a connection borrowed from the pool only for the lookup. The guards would take the request's
connection, which is held until the response ends, and a stream lasting hours must not pin
one; so this router has its own dependency and is mounted apart from the protected routers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import StreamingResponse

from starter.auth.deps import api_key_scheme, authenticate, bearer_scheme, settings_of
from starter.auth.schemas import Principal
from starter.core.deps import get_pool
from starter.core.errors import ServiceUnavailable
from starter.core.routing import api_router
from starter.monitoring.stream.service import StreamHub, Viewer, parse_last_event_id, sse_events
from starter.rbac.roles import Role

router = api_router(tags=["Monitoring"])
SSE_EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["task", "event", "alert", "incident", "resync"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}


async def stream_principal(
    request: Request,
    _bearer: Annotated[object, Depends(bearer_scheme)] = None,
    _api_key: Annotated[object, Depends(api_key_scheme)] = None,
) -> Principal:
    async with get_pool(request).acquire() as conn:
        return await authenticate(request, conn)


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "text/event-stream: `event: task|event|alert|incident`, JSON `data`",
            # Before OpenAPI 3.2, the schema of an event stream describes one event.
            "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
        }
    },
)
async def live_stream(
    request: Request,
    principal: Annotated[Principal, Depends(stream_principal)],
    last_event_id: Annotated[
        str | None,
        Header(
            max_length=40,
            description="The `id` of the last message received; a reconnecting client first "
            "gets what it missed, or one `resync` message when that is no longer known.",
        ),
    ] = None,
) -> StreamingResponse:
    """Live task status changes the caller may see; for moderator+ also new error/warn events,
    alert state changes and incident changes. Heartbeat comments keep idle streams open.
    Browsers resume after a dropped connection by sending `Last-Event-ID`."""
    hub: StreamHub = request.app.state.stream_hub
    settings = settings_of(request).monitoring
    viewer = Viewer(principal.id, principal.role.at_least(Role.MODERATOR))
    try:
        subscriber = await hub.subscribe(viewer, parse_last_event_id(last_event_id))
    except TimeoutError:
        raise ServiceUnavailable() from None
    return StreamingResponse(
        sse_events(
            hub,
            subscriber,
            heartbeat_secs=settings.stream_heartbeat_secs,
            is_disconnected=request.is_disconnected,
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
