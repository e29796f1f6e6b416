"""Password recovery and email verification: one-time tokens sent by email.

A token is 32 random bytes (43 url-safe characters), stored as its SHA-256 digest, usable once,
until it expires, and only while it is its purpose's newest: asking again retires the earlier
ones. The email is queued in the transaction that stores the token (docs/accounts.md).
"""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import structlog

from starter.auth import rate_limit, repository, service
from starter.auth import token_repository as tokens
from starter.auth.mail import MailQueue, link, render
from starter.auth.principal_cache import forget_user
from starter.auth.validation import validate_email, validate_password
from starter.core.config import Settings
from starter.core.db import Connection, atomic
from starter.core.errors import AppError, Conflict, Unauthorized
from starter.core.security import digest, random_string

log = structlog.get_logger(__name__)

TOKEN_BYTES = 32
RESET_PATH = "/auth/reset-password"
VERIFY_PATH = "/auth/verify-email"
FORGOT_ANSWER = "If an account uses that address, a link to reset its password is on its way."
ALREADY_VERIFIED = "Your email address is already verified"


class InvalidToken(AppError):
    status = 400
    code = "INVALID_TOKEN"
    default_message = "This link is invalid or has expired. Please request a new one."


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour" + ("s" if hours != 1 else "")
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute" + ("s" if minutes != 1 else "")


async def _issue(
    conn: Connection,
    mailer: MailQueue,
    settings: Settings,
    *,
    purpose: str,
    user_id: UUID,
    username: str,
    email: str,
) -> None:
    """Retire earlier tokens of `purpose`, store a new one and queue its email, all at once."""
    if purpose == tokens.PASSWORD_RESET:
        valid_secs, path = settings.auth.password_reset_token_minutes * 60, RESET_PATH
    else:
        valid_secs, path = settings.auth.email_verification_token_hours * 3600, VERIFY_PATH
    token = random_string(TOKEN_BYTES)
    mail = render(
        purpose,
        settings,
        email,
        username=username,
        email=email,
        link=link(settings, path, token),
        valid_for=_duration(valid_secs),
    )
    async with atomic(conn):
        await tokens.supersede(conn, user_id, purpose)
        await tokens.insert(conn, user_id, purpose, digest(token), email, valid_secs)
        await mailer(conn, mail)
    log.info("auth.token_issued", user_id=str(user_id), purpose=purpose)


async def _at_least(started: float, seconds: float) -> None:
    """Sleep out the rest of `seconds` since `started`, so the answer's time says nothing."""
    left = seconds - (time.monotonic() - started)
    if left > 0:
        await asyncio.sleep(left)


async def forgot_password(
    conn: Connection, settings: Settings, mailer: MailQueue, email: str, address: str | None
) -> str:
    """The same answer, in at least the same time, whether or not an account uses `email`."""
    started = time.monotonic()
    try:
        validate_email(email)
        row = await repository.find_active_user_for_login(conn, email=email)
        budget = rate_limit.recovery_budget(settings.auth)
        account = rate_limit.account_key(row["id"] if row is not None else None, email)
        await rate_limit.ensure_allowed(conn, budget, account, address)
        async with conn.transaction():
            await rate_limit.spend(conn, budget, account, address)
            if row is not None:
                await _issue(
                    conn,
                    mailer,
                    settings,
                    purpose=tokens.PASSWORD_RESET,
                    user_id=row["id"],
                    username=row["username"],
                    email=row["email"],
                )
        return FORGOT_ANSWER
    finally:
        await _at_least(started, settings.auth.recovery_min_answer_secs)


async def _bad_token(conn: Connection, settings: Settings, address: str | None) -> InvalidToken:
    await rate_limit.spend(conn, rate_limit.recovery_budget(settings.auth), None, address)
    return InvalidToken()


async def reset_password(
    conn: Connection, settings: Settings, token: str, new_password: str, address: str | None
) -> int:
    """Set the password the token's account chose and end all its sessions (returns how many).
    Any token that cannot be used is the same 400; the password rules apply as everywhere."""
    budget = rate_limit.recovery_budget(settings.auth)
    await rate_limit.ensure_allowed(conn, budget, None, address)
    async with conn.transaction():
        found = await tokens.lock_usable(conn, digest(token), tokens.PASSWORD_RESET)
        if found is not None:
            validate_password(new_password, "new_password")
            user_id: UUID = found["user_id"]
            await service.set_password(conn, user_id, new_password)
            await tokens.supersede(conn, user_id, tokens.PASSWORD_RESET)
            ended = await service.end_all_sessions(conn, user_id)
    if found is None:
        raise await _bad_token(conn, settings, address)
    log.info("auth.password_recovered", user_id=str(user_id), sessions_ended=ended)
    return ended


async def send_verification(
    conn: Connection,
    settings: Settings,
    mailer: MailQueue,
    user_id: UUID,
    username: str,
    email: str,
) -> None:
    """Mail a verification link for `email` (at registration and on an email change)."""
    await _issue(
        conn,
        mailer,
        settings,
        purpose=tokens.EMAIL_VERIFICATION,
        user_id=user_id,
        username=username,
        email=email,
    )


async def resend_verification(
    conn: Connection, settings: Settings, mailer: MailQueue, user_id: UUID, address: str | None
) -> None:
    """A new verification link for the signed-in user (409 when already verified)."""
    row = await repository.find_profile(conn, user_id)
    if row is None:  # deactivated since the guard looked
        raise Unauthorized()
    if row["email_verified"]:
        raise Conflict(ALREADY_VERIFIED)
    budget = rate_limit.recovery_budget(settings.auth)
    account = rate_limit.account_key(user_id, "")
    await rate_limit.ensure_allowed(conn, budget, account, address)
    async with conn.transaction():
        await rate_limit.spend(conn, budget, account, address)
        await send_verification(conn, settings, mailer, user_id, row["username"], row["email"])


async def verify_email(
    conn: Connection, settings: Settings, token: str, address: str | None
) -> None:
    budget = rate_limit.recovery_budget(settings.auth)
    await rate_limit.ensure_allowed(conn, budget, None, address)
    async with conn.transaction():
        found = await tokens.lock_usable(conn, digest(token), tokens.EMAIL_VERIFICATION)
        if found is not None:
            await tokens.set_email_verified(conn, found["user_id"])
            await tokens.supersede(conn, found["user_id"], tokens.EMAIL_VERIFICATION)
    if found is None:
        raise await _bad_token(conn, settings, address)
    forget_user(found["user_id"])
    log.info("auth.email_verified", user_id=str(found["user_id"]))
