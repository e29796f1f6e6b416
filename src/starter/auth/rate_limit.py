"""Failed-login limiting per account and per client address, shared through PostgreSQL so
every server process sees the same counts.

An account's budget belongs to the account: every identifier that reaches it (username,
email, either, in any letter case) spends the same one. A login that reaches no account is
counted under what was typed, case folded, so guessing accounts is limited the same way.
The address is the socket peer, or the client a trusted proxy names (`server.trusted_proxies`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from starter.auth import repository
from starter.core.config import AuthSettings
from starter.core.db import Connection
from starter.core.errors import RateLimited

ACCOUNT = "account"
ADDRESS = "address"
MESSAGE = "Too many failed login attempts. Please try again later."


def account_key(user_id: UUID | None, typed: str) -> str:
    """The budget a login spends: the account's id when one matched, else the typed name."""
    return f"id:{user_id}" if user_id is not None else f"name:{typed.lower()}"


def _retry_after(oldest: datetime | None, window_secs: int) -> int:
    if oldest is None:
        return window_secs
    elapsed = (datetime.now(UTC) - oldest).total_seconds()
    return max(1, int(window_secs - elapsed) + 1)


async def ensure_login_allowed(
    conn: Connection, settings: AuthSettings, account: str, address: str | None
) -> None:
    """429 RATE_LIMITED with Retry-After when either budget is spent."""
    window = settings.login_failure_window_secs
    checks = [(ACCOUNT, account, settings.login_max_failures_per_account)]
    if address:
        checks.append((ADDRESS, address, settings.login_max_failures_per_address))
    for scope, key, limit in checks:
        count, oldest = await repository.recent_failures(conn, scope, key, window)
        if count >= limit:
            raise RateLimited(_retry_after(oldest, window), MESSAGE)


async def record_login_failure(conn: Connection, account: str, address: str | None) -> None:
    entries = [(ACCOUNT, account)]
    if address:
        entries.append((ADDRESS, address))
    await repository.record_failures(conn, entries)


async def clear_account_failures(conn: Connection, account: str) -> None:
    await repository.clear_failures(conn, ACCOUNT, account)
