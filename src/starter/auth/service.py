"""Authentication rules: accounts, logins, sessions and the initial admin."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from starter.auth import passwords, rate_limit, repository
from starter.auth.principal_cache import forget_user
from starter.auth.schemas import LoginRequest, Principal, RefreshResponse, UserProfile
from starter.auth.validation import (
    validate_email,
    validate_new_account,
    validate_username,
)
from starter.core.config import AuthSettings
from starter.core.db import Connection, Record
from starter.core.errors import (
    AppError,
    Conflict,
    InvalidCredentials,
    Unauthorized,
    ValidationFailed,
)
from starter.core.security import digest, new_session_token
from starter.rbac.roles import Role

log = structlog.get_logger(__name__)

REFRESH_TOO_SOON = "Cannot refresh token yet. Please wait before requesting another refresh."


class UsernameTaken(AppError):
    status = 409
    code = "USERNAME_ALREADY_EXISTS"
    default_message = "Username already exists"


class EmailTaken(AppError):
    status = 409
    code = "EMAIL_ALREADY_EXISTS"
    default_message = "Email already exists"


class UserExists(AppError):
    status = 409
    code = "USER_ALREADY_EXISTS"
    default_message = "User already exists"


@asynccontextmanager
async def unique_violations_as_conflicts() -> AsyncIterator[None]:
    """Map a unique violation on users to the 409 codes of docs/api-conventions.md."""
    try:
        yield
    except asyncpg.UniqueViolationError as error:
        constraint = (error.constraint_name or "").lower()
        if "email" in constraint:
            raise EmailTaken() from None
        if "username" in constraint:
            raise UsernameTaken() from None
        raise UserExists() from None


def profile(row: Record) -> UserProfile:
    return UserProfile.model_validate(dict(row))


async def create_account(
    conn: Connection,
    username: str,
    email: str,
    password: str,
    role: Role = Role.USER,
    *,
    email_verified: bool = False,
) -> UserProfile:
    """Validate (username → email → password), hash, insert. 409 on a taken name."""
    validate_new_account(username, email, password)
    password_hash = await passwords.hash_password(password)
    async with unique_violations_as_conflicts():
        row = await repository.insert_user(
            conn, username, email, password_hash, role.value, email_verified
        )
    log.info("user.created", user_id=str(row["id"]), role=role.value)
    return profile(row)


@dataclass(frozen=True)
class LoginIdentity:
    username: str | None
    email: str | None

    @property
    def typed(self) -> str:
        return self.username or self.email or ""


def _login_identity(request: LoginRequest) -> LoginIdentity:
    given = [
        v for v in (request.username, request.email, request.username_or_email) if v is not None
    ]
    if len(given) > 1:
        raise ValidationFailed("login", "Provide either username or email, not both")
    if not given:
        raise ValidationFailed("login", "Either username or email must be provided")
    if request.username is not None:
        if not request.username.strip():
            raise ValidationFailed("username", "Username cannot be empty")
        validate_username(request.username)
        return LoginIdentity(request.username, None)
    if request.email is not None:
        if not request.email.strip():
            raise ValidationFailed("email", "Email cannot be empty")
        validate_email(request.email)
        return LoginIdentity(None, request.email)
    value = request.username_or_email or ""
    if not value.strip():
        raise ValidationFailed("username_or_email", "Username or email cannot be empty")
    return LoginIdentity(value, value)


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    user: UserProfile


class EmailNotVerified(AppError):
    status = 403
    code = "EMAIL_NOT_VERIFIED"
    default_message = "Please verify your email address before signing in"


async def login(
    conn: Connection,
    settings: AuthSettings,
    request: LoginRequest,
    address: str | None,
) -> LoginResult:
    identity = _login_identity(request)
    if request.password == "":
        raise ValidationFailed("password", "Password cannot be empty")
    # Known and unknown accounts take the same steps (lookup, limits, one Argon2 verification,
    # failure record), so neither the answer nor its timing tells them apart.
    row = await repository.find_active_user_for_login(
        conn, username=identity.username, email=identity.email
    )
    account = rate_limit.account_key(row["id"] if row is not None else None, identity.typed)
    await rate_limit.ensure_login_allowed(conn, settings, account, address)
    stored_hash = row["password_hash"] if row is not None else None
    verified = await passwords.verify_password(stored_hash, request.password)
    if row is None or not verified:
        await rate_limit.record_login_failure(conn, settings, account, address)
        raise InvalidCredentials()
    if not row["email_verified"] and not settings.allow_unverified_login:
        raise EmailNotVerified()
    token = new_session_token()
    expires_at = datetime.now(UTC) + timedelta(hours=settings.session_duration_hours)
    async with conn.transaction():
        await repository.deactivate_idle_sessions(conn, row["id"], settings.idle_session_days)
        session = await repository.insert_session(
            conn,
            row["id"],
            digest(token),
            expires_at,
            request.user_agent,
            address,
        )
        await repository.touch_last_login(conn, row["id"])
        await rate_limit.clear_account_failures(conn, account)
    log.info("auth.login", user_id=str(row["id"]))
    return LoginResult(token=token, expires_at=session["expires_at"], user=profile(row))


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    # How long this answer holds unless the credential or its user changes (changes are
    # announced, see principal_cache): until expiry, or until the activity stamp is due.
    valid_for: float


def _principal(row: Record, **credential: Any) -> Principal:
    """The user a credential row points to, plus what the credential itself grants."""
    return Principal(
        id=row["id"],
        username=row["username"],
        email=row["email"],
        role=Role(row["role"]),
        **credential,
    )


def _seconds_left(row: Record) -> float:
    """Until the credential expires (never, for an API key without expiry)."""
    left: float | None = row["expires_in_secs"]
    return math.inf if left is None else left


async def authenticate_session(
    conn: Connection, settings: AuthSettings, token_hash: str
) -> Authenticated | None:
    """The session's user; stamps `last_activity_at` at most once per write interval."""
    row = await repository.find_session_principal(conn, token_hash)
    if row is None:
        return None
    interval = settings.activity_write_interval_secs
    idle: float = row["idle_secs"]
    if idle >= interval:
        await repository.touch_session_activity(conn, row["session_id"], interval)
        idle = 0.0
    principal = _principal(row, session_id=row["session_id"])
    return Authenticated(principal, min(_seconds_left(row), interval - idle))


async def authenticate_api_key(conn: Connection, key_hash: str) -> Authenticated | None:
    row = await repository.find_api_key_principal(conn, key_hash)
    if row is None:
        return None
    principal = _principal(
        row, api_key_id=row["api_key_id"], scopes=frozenset(row["permissions"] or [])
    )
    return Authenticated(principal, _seconds_left(row))


async def logout(conn: Connection, user_id: UUID, session_id: UUID) -> None:
    await repository.deactivate_session(conn, session_id)
    forget_user(user_id)


async def refresh(conn: Connection, settings: AuthSettings, session_id: UUID) -> RefreshResponse:
    """Extend the session to now + refresh_extend_hours, at most once per min interval."""
    async with conn.transaction():
        current = await repository.lock_session_for_refresh(conn, session_id)
        if current is None:
            raise Unauthorized()
        last = current["last_refreshed_at"]
        min_interval = timedelta(minutes=settings.refresh_min_interval_minutes)
        if last is not None and current["now"] < last + min_interval:
            raise Conflict(REFRESH_TOO_SOON)
        row = await repository.extend_session(conn, session_id, settings.refresh_extend_hours)
    return RefreshResponse(expires_at=row["expires_at"], refreshed_at=row["last_refreshed_at"])


async def cleanup_expired_sessions(conn: Connection, settings: AuthSettings) -> int:
    """Deactivate expired sessions and prune old login failures. Returns sessions ended."""
    ended = await repository.deactivate_expired_sessions(conn)
    await repository.prune_failures(conn, settings.login_failure_window_secs)
    log.info("auth.sessions_cleaned", ended=ended)
    return ended


async def end_all_sessions(conn: Connection, user_id: UUID) -> int:
    """Deactivate every session of a user (logout-all, and other domains in their transaction)."""
    ended = await repository.deactivate_user_sessions(conn, user_id)
    forget_user(user_id)
    return ended


async def end_other_sessions(conn: Connection, user_id: UUID, keep: UUID | None) -> int:
    """Deactivate every session of a user but `keep` (all of them when it is None)."""
    ended = await repository.deactivate_other_sessions(conn, user_id, keep)
    forget_user(user_id)
    return ended


async def check_password(conn: Connection, user_id: UUID, password: str) -> bool:
    return await passwords.verify_password(
        await repository.find_password_hash(conn, user_id), password
    )


async def set_password(conn: Connection, user_id: UUID, password: str) -> bool:
    return await repository.set_password_hash(
        conn, user_id, await passwords.hash_password(password)
    )


async def ensure_initial_admin(conn: Connection, password: str | None) -> bool:
    """Create `admin` from STARTER__INITIAL_ADMIN_PASSWORD when no admin exists yet.

    Safe when several servers start at once: the check and the insert run under one
    transaction-scoped advisory lock, so the loser sees the winner's admin and skips.
    """
    if not password:
        if not await repository.any_admin_exists(conn):
            log.warning(
                "auth.no_admin",
                hint="set STARTER__INITIAL_ADMIN_PASSWORD or run `starter admin create-admin`",
            )
        return False
    async with conn.transaction():
        await repository.lock_admin_bootstrap(conn)
        if await repository.any_admin_exists(conn):
            return False
        password_hash = await passwords.hash_password(password)
        async with unique_violations_as_conflicts():
            await repository.insert_user(
                conn, "admin", "admin@example.com", password_hash, Role.ADMIN.value, True
            )
    log.info("auth.initial_admin_created", username="admin")
    return True
