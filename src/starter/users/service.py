"""User rules: own profile and account, reads with ownership, and administration.

Writes that touch more than one row join the caller's transaction (the request's `Tx`) or
open their own. Administration takes an `actor`: the signed-in principal, or None for the
system (the CLI), which may manage any account. Whoever acts, the last active admin stays
(docs/roles.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import structlog

from starter.auth import recovery
from starter.auth import service as auth_service
from starter.auth.mail import MailQueue
from starter.auth.principal_cache import forget_user
from starter.auth.schemas import Principal, UserProfile
from starter.auth.validation import validate_email, validate_password, validate_username
from starter.core.config import Settings
from starter.core.db import Connection, Record, atomic
from starter.core.errors import Conflict, InvalidCredentials, NotFound, ValidationFailed
from starter.core.query import Counted
from starter.rbac.policies import STAFF_ACCOUNT_MESSAGE, may_manage, require_may_manage
from starter.rbac.roles import Role
from starter.users import repository
from starter.users.repository import UserQuery
from starter.users.schemas import (
    BulkStatusResponse,
    BulkStatusResult,
    RecentRegistrations,
    UserRoleStats,
    UserStats,
    UserStatusFilter,
)

log = structlog.get_logger(__name__)

USER_NOT_FOUND = "User not found"
PROFILE_NOT_FOUND = "User profile not found"
DELETE_CONFIRMATION = "DELETE"
LAST_ADMIN = "Cannot remove the last active admin; make another account an admin first"

Actor = Principal | None  # None: the system (CLI), which passes every role check


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
    conn: Connection,
    user_id: UUID,
    username: str | None,
    email: str | None,
    verification: tuple[Settings, MailQueue] | None = None,
) -> UserProfile:
    """Change username/email (null = unchanged); a new email must be verified again, and
    with `verification` given a link to do so is mailed in the same transaction."""
    _validate_identity(username, email)
    async with atomic(conn):
        before = await repository.find_active(conn, user_id)
        async with auth_service.unique_violations_as_conflicts():
            row = await repository.update_own_profile(conn, user_id, username, email)
        if row is None or before is None:
            raise NotFound(USER_NOT_FOUND)
        if verification is not None and row["email"].lower() != before["email"].lower():
            settings, mailer = verification
            await recovery.send_verification(
                conn, settings, mailer, user_id, row["username"], row["email"]
            )
    forget_user(user_id)
    return auth_service.profile(row)


async def change_own_password(
    conn: Connection,
    user_id: UUID,
    current_password: str,
    new_password: str,
    keep_session: UUID | None = None,
) -> int:
    """Strength → differs from current → current verifies (401) → re-hash, then end every
    session but `keep_session` (the caller's). Returns how many were ended."""
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
    ended = await auth_service.end_other_sessions(conn, user_id, keep_session)
    log.info("user.password_changed", user_id=str(user_id), sessions_ended=ended)
    return ended


async def delete_own_account(
    conn: Connection, user_id: UUID, password: str, confirmation: str
) -> None:
    """Deactivate the caller and end all their sessions (wrong password is 400, not 401).
    The last active admin cannot leave (409)."""
    if confirmation != DELETE_CONFIRMATION:
        raise ValidationFailed("confirmation", "Must provide 'DELETE' as confirmation")
    async with atomic(conn):
        row, last_admin = await _lock_with_admins(conn, None, user_id)
        if not row["is_active"]:
            raise NotFound(USER_NOT_FOUND)
        if not await auth_service.check_password(conn, user_id, password):
            raise ValidationFailed("password", "Invalid password")
        if last_admin:
            raise Conflict(LAST_ADMIN)
        await repository.set_active(conn, user_id, False)
        ended = await auth_service.end_all_sessions(conn, user_id)
    log.info("user.self_deleted", user_id=str(user_id), sessions_ended=ended)


# --- reads --------------------------------------------------------------------------------


async def user_by_id(conn: Connection, actor: Principal, target_id: UUID) -> UserProfile:
    """Staff (moderator, admin) see every account the list shows them, whatever its role; a
    user sees only themselves. Anything else, and inactive accounts, is 404."""
    if not actor.role.at_least(Role.MODERATOR) and target_id != actor.id:
        raise NotFound(USER_NOT_FOUND)
    row = await repository.find_active(conn, target_id)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    return auth_service.profile(row)


@dataclass(frozen=True, slots=True)
class UserListQuery:
    """What `GET /users` asks for; an empty `search` is no filter."""

    status: UserStatusFilter = UserStatusFilter.ACTIVE
    role: Role | None = None
    search: str | None = None
    sort: str = "-created_at"


_LISTED_STATE = {
    UserStatusFilter.ACTIVE: True,
    UserStatusFilter.INACTIVE: False,
    UserStatusFilter.ALL: None,
}


async def list_users(
    conn: Connection, query: UserListQuery, limit: int, offset: int
) -> Counted[Record]:
    """Rows of `UserProfile` the query selects (staff only, like `user_by_id`), and how many."""
    selected = UserQuery(
        is_active=_LISTED_STATE[query.status],
        role=None if query.role is None else query.role.value,
        search=query.search or None,
        sort=query.sort,
    )
    return await repository.page(conn, selected, limit, offset)


async def accounts(conn: Connection, limit: int, is_active: bool | None) -> list[UserProfile]:
    """Every account, inactive ones too unless filtered, newest first (the CLI's list)."""
    return [auth_service.profile(row) for row in await repository.accounts(conn, limit, is_active)]


async def active_admins(conn: Connection) -> list[UserProfile]:
    return [auth_service.profile(row) for row in await repository.active_admins(conn)]


async def find_account(conn: Connection, key: str) -> UserProfile:
    """The account named by its id, username or email, active or not; 404 otherwise."""
    try:
        user_id: UUID | None = UUID(key)
    except ValueError:
        user_id = None
    row = await repository.find_by_identity(conn, key, user_id)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    return auth_service.profile(row)


# --- administration -----------------------------------------------------------------------


def _is_active_admin(row: Record) -> bool:
    return bool(row["role"] == Role.ADMIN.value and row["is_active"])


async def _lock_target(conn: Connection, actor: Actor, user_id: UUID) -> Record:
    """The target's row, locked; 404 when missing, 403 when the actor may not manage it."""
    row = await repository.lock_any(conn, user_id)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    if actor is not None:
        require_may_manage(actor.role, Role(row["role"]))
    return row


async def _lock_with_admins(conn: Connection, actor: Actor, user_id: UUID) -> tuple[Record, bool]:
    """Like `_lock_target`, and the active admins stay locked until the transaction ends, so
    concurrent removals of admins queue up. Also says whether the target is the last one."""
    rows = await repository.lock_with_active_admins(conn, user_id)
    row = next((row for row in rows if row["id"] == user_id), None)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    if actor is not None:
        require_may_manage(actor.role, Role(row["role"]))
    return row, _is_active_admin(row) and sum(map(_is_active_admin, rows)) == 1


async def _lock_removable(conn: Connection, actor: Actor, user_id: UUID) -> Record:
    """The target of a change that takes admin rights away (demote, deactivate, delete):
    409 when it is the last active admin."""
    row, last_admin = await _lock_with_admins(conn, actor, user_id)
    if last_admin:
        raise Conflict(LAST_ADMIN)
    return row


async def update_status(
    conn: Connection, actor: Actor, user_id: UUID, is_active: bool
) -> UserProfile:
    """(De)activate an account the actor may manage; deactivation also ends its sessions."""
    async with atomic(conn):
        if is_active:
            await _lock_target(conn, actor, user_id)
        else:
            await _lock_removable(conn, actor, user_id)
        row = await repository.set_active(conn, user_id, is_active)
        assert row is not None  # locked above
        ended = 0 if is_active else await auth_service.end_all_sessions(conn, user_id)
    log.info("user.status_changed", user_id=str(user_id), is_active=is_active, sessions_ended=ended)
    return auth_service.profile(row)


_BULK_REFUSALS = {
    "not_found": USER_NOT_FOUND,
    "self": "Your own account is not changed in bulk",
    "forbidden": STAFF_ACCOUNT_MESSAGE,
    "last_admin": LAST_ADMIN,
}


def _bulk_refusal(
    actor: Principal, user_id: UUID, row: Record | None, is_active: bool, admins: set[UUID]
) -> str | None:
    """Why the single action would refuse this account (the same rules, in their order), or
    None when it may change. `admins`: the active admins left at this point of the batch."""
    if row is None:
        return "not_found"
    if user_id == actor.id:
        return "self"
    if not may_manage(actor.role, Role(row["role"])):
        return "forbidden"
    if not is_active and admins == {user_id}:
        return "last_admin"
    return None


async def bulk_status(
    conn: Connection, actor: Principal, action: str, ids: list[UUID]
) -> BulkStatusResponse:
    """(De)activate many accounts in one transaction, each as `update_status` would, and say
    what happened to each one; refused ones stay as they were."""
    is_active = action == "activate"
    wanted = list(dict.fromkeys(ids))
    results: list[BulkStatusResult] = []
    changed: list[UUID] = []
    async with atomic(conn):
        rows = {
            row["id"]: row for row in await repository.lock_many_with_active_admins(conn, wanted)
        }
        admins = {user_id for user_id, row in rows.items() if _is_active_admin(row)}
        for user_id in wanted:
            refusal = _bulk_refusal(actor, user_id, rows.get(user_id), is_active, admins)
            if refusal is None:
                changed.append(user_id)
                if not is_active:
                    admins.discard(user_id)
            message = None if refusal is None else _BULK_REFUSALS[refusal]
            results.append(BulkStatusResult(id=user_id, outcome=refusal or "ok", message=message))
        await repository.set_active_many(conn, changed, is_active)
        if not is_active:
            for user_id in changed:
                await auth_service.end_all_sessions(conn, user_id)
    log.info("user.bulk_status_changed", is_active=is_active, changed=len(changed))
    return BulkStatusResponse(
        action=action, succeeded=len(changed), failed=len(wanted) - len(changed), results=results
    )


async def reset_password(conn: Connection, actor: Actor, user_id: UUID, new_password: str) -> None:
    """Set a new password on an account the actor may manage (active or not) and end all its
    sessions."""
    validate_password(new_password)
    async with atomic(conn):
        await _lock_target(conn, actor, user_id)
        await auth_service.set_password(conn, user_id, new_password)
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


async def update_role(conn: Connection, actor: Actor, user_id: UUID, role: str) -> UserProfile:
    """Any role on any account (active or not, the actor's own too), keeping one active admin."""
    new_role = Role(role)
    async with atomic(conn):
        if new_role is Role.ADMIN:
            await _lock_target(conn, actor, user_id)
        else:
            await _lock_removable(conn, actor, user_id)
        row = await repository.set_role(conn, user_id, new_role.value)
        assert row is not None  # locked above
    forget_user(user_id)
    log.info("user.role_changed", user_id=str(user_id), role=role)
    return auth_service.profile(row)


async def delete_user(conn: Connection, actor: Actor, target_id: UUID, hard: bool) -> None:
    """Soft delete (idempotent: an already-inactive user is fine) or remove the row; never
    the actor's own account, nor the last active admin."""
    if actor is not None and target_id == actor.id:
        raise ValidationFailed("id", "Cannot delete own account via this endpoint")
    async with atomic(conn):
        row = await _lock_removable(conn, actor, target_id)
        if hard:
            await repository.delete(conn, target_id)
        else:
            if row["is_active"]:
                await repository.set_active(conn, target_id, False)
            await auth_service.end_all_sessions(conn, target_id)
    if hard:
        forget_user(target_id)
    log.info("user.hard_deleted" if hard else "user.soft_deleted", user_id=str(target_id))


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
