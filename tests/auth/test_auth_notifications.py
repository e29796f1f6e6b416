"""Migration 011's triggers: which writes announce a user's id on `starter_auth`, and which
stay silent.

Each case makes its change, then a known noisy change to a third user (the fence). The
channel delivers notifications in commit order, so whatever the change announced has arrived
once the fence's payload has: what came before the fence is exactly the change's output.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from starter.core.channels import AUTH as AUTH_CHANNEL

Rows = dict[str, UUID]
HOUR = timedelta(hours=1)


class Heard:
    """The payloads received on the auth channel, in order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    def __call__(self, _conn: object, _pid: int, channel: str, payload: object) -> None:
        assert channel == AUTH_CHANNEL
        self.queue.put_nowait(str(payload))


async def _insert_user(db: asyncpg.Connection, name: str) -> UUID:
    user_id: UUID = await db.fetchval(
        """INSERT INTO users (username, email, password_hash)
           VALUES ($1, $1 || '@example.com', 'not-a-real-hash') RETURNING id""",
        name,
    )
    return user_id


async def _insert_session(
    db: asyncpg.Connection,
    user_id: UUID,
    token_hash: str,
    expires_in: timedelta,
    active: bool = True,
) -> UUID:
    session_id: UUID = await db.fetchval(
        """INSERT INTO sessions (user_id, token_hash, expires_at, is_active)
           VALUES ($1, $2, NOW() + $3, $4) RETURNING id""",
        user_id,
        token_hash,
        expires_in,
        active,
    )
    return session_id


async def _insert_api_key(
    db: asyncpg.Connection,
    user_id: UUID,
    key_hash: str,
    active: bool = True,
    expires_in: timedelta | None = None,
) -> UUID:
    key_id: UUID = await db.fetchval(
        """INSERT INTO api_keys
               (name, key_hash, key_prefix, created_by, is_active, permissions, expires_at)
           VALUES ('ci', $2, 'sk_abcdefgh', $1, $3, '["read", "write"]', NOW() + $4)
           RETURNING id""",
        user_id,
        key_hash,
        active,
        expires_in,
    )
    return key_id


@pytest.fixture
async def rows(db: asyncpg.Connection) -> Rows:
    """alice (two live sessions, an expired one, an ended one, an active and a revoked key),
    bob (nothing), carol (deactivated, her session ended) and the fence user."""
    alice = await _insert_user(db, "alice")
    carol = await _insert_user(db, "carol")
    carol_session = await _insert_session(db, carol, "h-carol", HOUR, active=False)
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", carol)
    return {
        "alice": alice,
        "bob": await _insert_user(db, "bob"),
        "fence": await _insert_user(db, "fence"),
        "carol": carol,
        "carol_session": carol_session,
        "live_session": await _insert_session(db, alice, "h-live", HOUR),
        "second_session": await _insert_session(db, alice, "h-second", HOUR),
        "expired_session": await _insert_session(db, alice, "h-expired", -timedelta(seconds=1)),
        "ended_session": await _insert_session(db, alice, "h-ended", HOUR, active=False),
        "active_key": await _insert_api_key(db, alice, "k-active"),
        "revoked_key": await _insert_api_key(db, alice, "k-revoked", active=False),
        "expired_key": await _insert_api_key(db, alice, "k-expired", expires_in=-HOUR),
    }


@pytest.fixture
async def heard(database_url: str, rows: Rows) -> AsyncIterator[Heard]:
    """A separate connection listening on the auth channel (from after the rows' inserts)."""
    listener = await asyncpg.connect(database_url)
    collected = Heard()
    await listener.add_listener(AUTH_CHANNEL, collected)
    try:
        yield collected
    finally:
        await listener.close()


async def heard_before_fence(db: asyncpg.Connection, heard: Heard, rows: Rows) -> list[str]:
    """Everything announced before a fresh noisy change to the fence user (waits up to 1 s)."""
    await db.execute("UPDATE users SET username = username || '+' WHERE id = $1", rows["fence"])
    before: list[str] = []
    async with asyncio.timeout(1.0):
        while (payload := await heard.queue.get()) != str(rows["fence"]):
            before.append(payload)
    assert heard.queue.empty()
    return before


def case(sql: str, args: list[str], announced: list[str], id: str) -> Any:
    """`sql` run with the named rows' ids as $1…; `announced` names the users expected."""
    return pytest.param(sql, args, announced, id=id)


NOISY = [
    case("UPDATE users SET username = 'alicia' WHERE id = $1", ["alice"], ["alice"], "username"),
    case("UPDATE users SET email = 'a@x.example' WHERE id = $1", ["alice"], ["alice"], "email"),
    case("UPDATE users SET role = 'admin' WHERE id = $1", ["alice"], ["alice"], "role"),
    case("UPDATE users SET is_active = FALSE WHERE id = $1", ["alice"], ["alice"], "deactivate"),
    # Her sessions and keys go with her (cascade): still one notification per transaction.
    case("DELETE FROM users WHERE id = $1", ["alice"], ["alice"], "user-delete"),
    case(
        "UPDATE sessions SET is_active = FALSE WHERE id = $1",
        ["live_session"],
        ["alice"],
        "session-end",
    ),
    case(
        "UPDATE sessions SET is_active = FALSE WHERE user_id = $1 AND is_active",
        ["alice"],
        ["alice"],
        "all-sessions-end-once",
    ),
    case(
        "UPDATE sessions SET expires_at = expires_at + interval '1 hour' WHERE id = $1",
        ["live_session"],
        ["alice"],
        "session-expiry",
    ),
    case(
        "UPDATE sessions SET token_hash = 'h-new' WHERE id = $1",
        ["live_session"],
        ["alice"],
        "session-token",
    ),
    case(
        "UPDATE sessions SET user_id = $2 WHERE id = $1",
        ["live_session", "bob"],
        ["alice", "bob"],
        "session-moved",
    ),
    case("DELETE FROM sessions WHERE id = $1", ["live_session"], ["alice"], "live-session-delete"),
    case(
        "UPDATE api_keys SET is_active = FALSE WHERE id = $1",
        ["active_key"],
        ["alice"],
        "key-revoke",
    ),
    case(
        "UPDATE api_keys SET expires_at = NOW() + interval '1 day' WHERE id = $1",
        ["active_key"],
        ["alice"],
        "key-expiry",
    ),
    case(
        """UPDATE api_keys SET permissions = '["read"]' WHERE id = $1""",
        ["active_key"],
        ["alice"],
        "key-scopes",
    ),
    case(
        "UPDATE api_keys SET key_hash = 'k-new' WHERE id = $1",
        ["active_key"],
        ["alice"],
        "key-hash",
    ),
    case(
        "UPDATE api_keys SET created_by = $2 WHERE id = $1",
        ["active_key", "bob"],
        ["alice", "bob"],
        "key-moved",
    ),
    case("DELETE FROM api_keys WHERE id = $1", ["active_key"], ["alice"], "active-key-delete"),
]

SILENT = [
    case(
        "UPDATE sessions SET last_activity_at = NOW() WHERE id = $1",
        ["live_session"],
        [],
        "session-activity",
    ),
    case(
        "UPDATE sessions SET last_refreshed_at = NOW(), user_agent = 'x' WHERE id = $1",
        ["live_session"],
        [],
        "session-bookkeeping",
    ),
    case(
        "UPDATE api_keys SET usage_count = usage_count + 3, last_used_at = NOW() WHERE id = $1",
        ["active_key"],
        [],
        "key-usage",
    ),
    case(
        "UPDATE api_keys SET name = 'renamed', description = 'd' WHERE id = $1",
        ["active_key"],
        [],
        "key-label",
    ),
    case("DELETE FROM sessions WHERE id = $1", ["expired_session"], [], "expired-session-delete"),
    case("DELETE FROM sessions WHERE id = $1", ["ended_session"], [], "ended-session-delete"),
    case("DELETE FROM api_keys WHERE id = $1", ["revoked_key"], [], "revoked-key-delete"),
    case("DELETE FROM api_keys WHERE id = $1", ["expired_key"], [], "expired-key-delete"),
    case(
        "UPDATE sessions SET is_active = FALSE WHERE id = $1",
        ["expired_session"],
        [],
        "expired-session-cleanup",
    ),
    case(
        "UPDATE api_keys SET is_active = FALSE WHERE id = $1",
        ["expired_key"],
        [],
        "expired-key-revoke",
    ),
    case(
        "UPDATE users SET role = 'admin', username = 'carol2' WHERE id = $1",
        ["carol"],
        [],
        "inactive-user-change",
    ),
    case("DELETE FROM users WHERE id = $1", ["carol"], [], "inactive-user-delete"),
    case("UPDATE users SET password_hash = 'other' WHERE id = $1", ["alice"], [], "password"),
    case("UPDATE users SET last_login_at = NOW() WHERE id = $1", ["alice"], [], "last-login"),
    case("UPDATE users SET email_verified = TRUE WHERE id = $1", ["alice"], [], "email-verified"),
    case(
        "UPDATE users SET username = username, role = role, is_active = is_active WHERE id = $1",
        ["alice"],
        [],
        "unchanged-values",
    ),
    case(
        "INSERT INTO sessions (user_id, token_hash, expires_at) "
        "VALUES ($1, 'h-inserted', NOW() + interval '1 hour')",
        ["alice"],
        [],
        "session-insert",
    ),
]


@pytest.mark.parametrize(("sql", "args", "announced"), NOISY + SILENT)
async def test_change_announces_exactly_the_affected_users(
    db: asyncpg.Connection,
    rows: Rows,
    heard: Heard,
    sql: str,
    args: list[str],
    announced: list[str],
) -> None:
    await db.execute(sql, *(rows[name] for name in args))
    assert sorted(await heard_before_fence(db, heard, rows)) == sorted(
        str(rows[name]) for name in announced
    )


async def test_rolled_back_change_is_silent(
    db: asyncpg.Connection, rows: Rows, heard: Heard
) -> None:
    transaction = db.transaction()
    await transaction.start()
    await db.execute("UPDATE users SET role = 'admin' WHERE id = $1", rows["alice"])
    await db.execute("UPDATE sessions SET is_active = FALSE WHERE id = $1", rows["live_session"])
    await transaction.rollback()
    assert await heard_before_fence(db, heard, rows) == []


async def test_announced_at_commit_once_per_user(
    db: asyncpg.Connection, rows: Rows, heard: Heard
) -> None:
    async with db.transaction():
        await db.execute("UPDATE users SET role = 'moderator' WHERE id = $1", rows["alice"])
        await db.execute("UPDATE api_keys SET is_active = FALSE WHERE id = $1", rows["active_key"])
        await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", rows["bob"])
        await asyncio.sleep(0.05)
        assert heard.queue.empty()  # nothing before the commit
    assert sorted(await heard_before_fence(db, heard, rows)) == sorted(
        [str(rows["alice"]), str(rows["bob"])]
    )
