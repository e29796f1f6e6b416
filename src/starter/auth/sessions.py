"""Sessions a user can see and end (and an admin, for any user)."""

from __future__ import annotations

from uuid import UUID

import structlog

from starter.auth import repository
from starter.auth.principal_cache import forget_user
from starter.core.db import Connection, Record
from starter.core.errors import NotFound

log = structlog.get_logger(__name__)

SESSION_NOT_FOUND = "Session not found"
USER_NOT_FOUND = "User not found"


async def live_sessions(
    conn: Connection, user_id: UUID, current: UUID | None = None
) -> list[Record]:
    """Rows of `SessionInfo`."""
    return await repository.live_sessions(conn, user_id, current)


async def end_session(conn: Connection, user_id: UUID, session_id: UUID) -> None:
    """End one live session of this user; 404 for any other id (ended, expired, not theirs)."""
    if not await repository.end_live_session(conn, user_id, session_id):
        raise NotFound(SESSION_NOT_FOUND)
    forget_user(user_id)
    log.info("auth.session_ended", user_id=str(user_id), session_id=str(session_id))


async def require_user(conn: Connection, user_id: UUID) -> None:
    if not await repository.user_exists(conn, user_id):
        raise NotFound(USER_NOT_FOUND)
