"""Failed-login limiting per account and per client address, shared through PostgreSQL so
every server process sees the same counts.

An account's budget belongs to the account: every identifier that reaches it (username,
email, either, in any letter case) spends the same one. A login that reaches no account is
counted under what was typed, case folded, so guessing accounts is limited the same way.
The address is the socket peer, or the client a trusted proxy names (`server.trusted_proxies`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from starter.auth import repository
from starter.core.config import AuthSettings
from starter.core.db import Connection
from starter.core.errors import RateLimited

ACCOUNT = "account"
ADDRESS = "address"
MESSAGE = "Too many failed login attempts. Please try again later."
RECOVERY_MESSAGE = "Too many requests for this account or address. Please try again later."


@dataclass(frozen=True)
class Budget:
    """Attempts allowed per account and per address within the window, counted under scopes."""

    account_scope: str
    address_scope: str
    per_account: int
    per_address: int
    window_secs: int
    message: str


def login_budget(settings: AuthSettings) -> Budget:
    return Budget(
        ACCOUNT,
        ADDRESS,
        settings.login_max_failures_per_account,
        settings.login_max_failures_per_address,
        settings.login_failure_window_secs,
        MESSAGE,
    )


def recovery_budget(settings: AuthSettings) -> Budget:
    """Forgot-password and resend-verification requests, and reset/verify attempts with a bad
    token: every one counts, so mail cannot be used to flood an inbox."""
    return Budget(
        "recovery_account",
        "recovery_address",
        settings.recovery_max_requests_per_account,
        settings.recovery_max_requests_per_address,
        settings.login_failure_window_secs,
        RECOVERY_MESSAGE,
    )


def account_key(user_id: UUID | None, typed: str) -> str:
    """The budget a login spends: the account's id when one matched, else the typed name."""
    return f"id:{user_id}" if user_id is not None else f"name:{typed.lower()}"


def _retry_after(oldest: datetime | None, window_secs: int) -> int:
    if oldest is None:
        return window_secs
    elapsed = (datetime.now(UTC) - oldest).total_seconds()
    return max(1, int(window_secs - elapsed) + 1)


def _entries(budget: Budget, account: str | None, address: str | None) -> list[tuple[str, str]]:
    entries = [] if account is None else [(budget.account_scope, account)]
    if address:
        entries.append((budget.address_scope, address))
    return entries


async def ensure_allowed(
    conn: Connection, budget: Budget, account: str | None, address: str | None
) -> None:
    """429 RATE_LIMITED with Retry-After when either budget is spent."""
    limits = {budget.account_scope: budget.per_account, budget.address_scope: budget.per_address}
    for scope, key in _entries(budget, account, address):
        count, oldest = await repository.recent_failures(conn, scope, key, budget.window_secs)
        if count >= limits[scope]:
            raise RateLimited(_retry_after(oldest, budget.window_secs), budget.message)


async def spend(conn: Connection, budget: Budget, account: str | None, address: str | None) -> None:
    await repository.record_failures(conn, _entries(budget, account, address))


async def ensure_login_allowed(
    conn: Connection, settings: AuthSettings, account: str, address: str | None
) -> None:
    await ensure_allowed(conn, login_budget(settings), account, address)


async def record_login_failure(
    conn: Connection, settings: AuthSettings, account: str, address: str | None
) -> None:
    await spend(conn, login_budget(settings), account, address)


async def clear_account_failures(conn: Connection, account: str) -> None:
    await repository.clear_failures(conn, ACCOUNT, account)
