"""User rules: own profile and account, reads with ownership, and administration.

Writes that touch more than one row expect the caller's transaction (the request's `Tx`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import structlog

from starter.auth import service as auth_service
from starter.auth.principal_cache import forget_user
from starter.auth.schemas import Principal, UserProfile
from starter.auth.validation import validate_email, validate_password, validate_username
from starter.core.db import Connection
from starter.core.errors import InvalidCredentials, NotFound, ValidationFailed
from starter.rbac.roles import Role
from starter.users import repository
from starter.users.schemas import RecentRegistrations, UserRoleStats, UserStats

log = structlog.get_logger(__name__)

USER_NOT_FOUND = "User not found"
PROFILE_NOT_FOUND = "User profile not found"
DELETE_CONFIRMATION = "DELETE"


def _validate_identity(username: str | None, email: str | None) -> None:
    if username is not None:
        validate_username(username)
    if email is not None:
        validate_email(email)


# --- the caller's own account -----------------------------------------------------------


async def own_profile(conn: Connection, user_id: UUID) -> UserProfile:
    row = await repository.find_active(conn, user_id)
    if row is None:
        raise NotFound(PROFILE_NOT_FOUND)
    return auth_service.profile(row)


async def update_own_profile(
    conn: Connection, user_id: UUID, username: str | None, email: str | None
) -> UserProfile:
    """Change username/email (null = unchanged); a new email must be verified again."""
    _validate_identity(username, email)
    async with auth_service.unique_violations_as_conflicts():
        row = await repository.update_own_profile(conn, user_id, username, email)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    forget_user(user_id)
    return auth_service.profile(row)


async def change_own_password(
    conn: Connection, user_id: UUID, current_password: str, new_password: str
) -> None:
    """Strength → differs from current → current verifies (401) → re-hash. Sessions stay."""
    validate_password(new_password)
    if current_password == new_password:
        raise ValidationFailed(
            "new_password", "New password must be different from current password"
        )
    if await repository.lock_active(conn, user_id) is None:
        raise NotFound(USER_NOT_FOUND)
    if not await auth_service.check_password(conn, user_id, current_password):
        raise InvalidCredentials()
    await auth_service.set_password(conn, user_id, new_password)
    log.info("user.password_changed", user_id=str(user_id))


async def delete_own_account(
    conn: Connection, user_id: UUID, password: str, confirmation: str
) -> None:
    """Deactivate the caller and end all their sessions (wrong password is 400, not 401)."""
    if confirmation != DELETE_CONFIRMATION:
        raise ValidationFailed("confirmation", "Must provide 'DELETE' as confirmation")
    if await repository.lock_active(conn, user_id) is None:
        raise NotFound(USER_NOT_FOUND)
    if not await auth_service.check_password(conn, user_id, password):
        raise ValidationFailed("password", "Invalid password")
    await repository.set_active(conn, user_id, False)
    ended = await auth_service.end_all_sessions(conn, user_id)
    log.info("user.self_deleted", user_id=str(user_id), sessions_ended=ended)


# --- reads --------------------------------------------------------------------------------


async def user_by_id(conn: Connection, actor: Principal, target_id: UUID) -> UserProfile:
    """404 for everything the actor may not see: others (user), admins (moderator), inactive."""
    if actor.role is Role.USER and target_id != actor.id:
        raise NotFound(USER_NOT_FOUND)
    row = await repository.find_active(conn, target_id)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    if actor.role is Role.MODERATOR and row["role"] == Role.ADMIN.value:
        raise NotFound(USER_NOT_FOUND)
    return auth_service.profile(row)


async def list_users_json(conn: Connection, limit: int, offset: int) -> str:
    """Active users, newest first: the JSON array of their profiles, rendered by the database."""
    return await repository.active_page_json(conn, limit, offset)


# --- administration -----------------------------------------------------------------------


async def update_status(conn: Connection, user_id: UUID, is_active: bool) -> UserProfile:
    """Any user, any state; deactivation also ends their sessions."""
    row = await repository.set_active(conn, user_id, is_active)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    ended = 0 if is_active else await auth_service.end_all_sessions(conn, user_id)
    log.info("user.status_changed", user_id=str(user_id), is_active=is_active, sessions_ended=ended)
    return auth_service.profile(row)


async def reset_password(conn: Connection, user_id: UUID, new_password: str) -> None:
    """Set a new password for any user (active or not) and end all their sessions."""
    validate_password(new_password)
    if not await auth_service.set_password(conn, user_id, new_password):
        raise NotFound(USER_NOT_FOUND)
    ended = await auth_service.end_all_sessions(conn, user_id)
    log.info("user.password_reset", user_id=str(user_id), sessions_ended=ended)


async def create_user(
    conn: Connection, username: str, email: str, password: str, role: str | None
) -> UserProfile:
    return await auth_service.create_account(
        conn, username, email, password, Role(role) if role else Role.USER
    )


async def update_profile(
    conn: Connection,
    user_id: UUID,
    username: str | None,
    email: str | None,
    email_verified: bool | None,
) -> UserProfile:
    """Admin edit; unlike the own-profile edit, a new email keeps `email_verified`."""
    _validate_identity(username, email)
    async with auth_service.unique_violations_as_conflicts():
        row = await repository.update_profile(conn, user_id, username, email, email_verified)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    forget_user(user_id)
    return auth_service.profile(row)


async def update_role(conn: Connection, user_id: UUID, role: str) -> UserProfile:
    row = await repository.set_role(conn, user_id, Role(role).value)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    forget_user(user_id)
    log.info("user.role_changed", user_id=str(user_id), role=role)
    return auth_service.profile(row)


async def delete_user(conn: Connection, actor_id: UUID, target_id: UUID, hard: bool) -> None:
    """Soft delete (idempotent: an already-inactive user is fine) or remove the row."""
    if target_id == actor_id:
        raise ValidationFailed("id", "Cannot delete own account via this endpoint")
    if hard:
        if not await repository.delete(conn, target_id):
            raise NotFound(USER_NOT_FOUND)
        forget_user(target_id)
        log.info("user.hard_deleted", user_id=str(target_id))
        return
    row = await repository.lock_any(conn, target_id)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    if row["is_active"]:
        await repository.set_active(conn, target_id, False)
    await auth_service.end_all_sessions(conn, target_id)
    log.info("user.soft_deleted", user_id=str(target_id))


async def user_stats(conn: Connection) -> UserStats:
    row = await repository.stats(conn)
    total, active, verified = row["total_users"], row["active_users"], row["email_verified"]
    return UserStats(
        total_users=total,
        active_users=active,
        inactive_users=total - active,
        email_verified=verified,
        email_unverified=active - verified,
        by_role=UserRoleStats(
            user=row["role_user"], moderator=row["role_moderator"], admin=row["role_admin"]
        ),
        recent_registrations=RecentRegistrations(
            last_24h=row["last_24h"], last_7d=row["last_7d"], last_30d=row["last_30d"]
        ),
        last_updated=datetime.now(UTC),
    )
