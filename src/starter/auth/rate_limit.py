"""Failed-login limiting per account and per client address, shared through PostgreSQL so
every server process sees the same counts."""

from __future__ import annotations

from datetime import UTC, datetime

from starter.auth import repository
from starter.core.config import AuthSettings
from starter.core.db import Connection
from starter.core.errors import RateLimited

ACCOUNT = "account"
ADDRESS = "address"
MESSAGE = "Too many failed login attempts. Please try again later."


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
    checks = [(ACCOUNT, account.lower(), settings.login_max_failures_per_account)]
    if address:
        checks.append((ADDRESS, address, settings.login_max_failures_per_address))
    for scope, key, limit in checks:
        count, oldest = await repository.recent_failures(conn, scope, key, window)
        if count >= limit:
            raise RateLimited(_retry_after(oldest, window), MESSAGE)


async def record_login_failure(conn: Connection, account: str, address: str | None) -> None:
    entries = [(ACCOUNT, account.lower())]
    if address:
        entries.append((ADDRESS, address))
    await repository.record_failures(conn, entries)


async def clear_account_failures(conn: Connection, account: str) -> None:
    await repository.clear_failures(conn, ACCOUNT, account.lower())
