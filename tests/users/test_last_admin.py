"""The last active admin cannot be demoted, deactivated or deleted (409 CONFLICT), by anyone:
the API, the account's own self-delete, or the system (the CLI calls the same service)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import pytest

from starter.core.errors import Conflict
from starter.users import service
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.users.helpers import API, data, user_row

LAST_ADMIN = "Cannot remove the last active admin; make another account an admin first"

Change = Callable[[httpx.AsyncClient, AppUser, str], Awaitable[httpx.Response]]


async def demote(client: httpx.AsyncClient, actor: AppUser, target_id: str) -> httpx.Response:
    return await client.put(
        f"{API}/users/{target_id}/role", json={"role": "moderator"}, headers=actor.headers
    )


async def deactivate(client: httpx.AsyncClient, actor: AppUser, target_id: str) -> httpx.Response:
    return await client.put(
        f"{API}/users/{target_id}/status", json={"is_active": False}, headers=actor.headers
    )


async def soft_delete(client: httpx.AsyncClient, actor: AppUser, target_id: str) -> httpx.Response:
    return await client.request(
        "DELETE", f"{API}/users/{target_id}", json={}, headers=actor.headers
    )


async def hard_delete(client: httpx.AsyncClient, actor: AppUser, target_id: str) -> httpx.Response:
    return await client.request(
        "DELETE", f"{API}/users/{target_id}", json={"hard_delete": True}, headers=actor.headers
    )


async def active_admins(db: asyncpg.Connection) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM users WHERE role = 'admin' AND is_active")
    return count


@pytest.mark.parametrize("change", [demote, deactivate], ids=["demote", "deactivate"])
async def test_sole_admin_cannot_remove_self(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection, change: Change
) -> None:
    assert_error(await change(client, admin, admin.id), 409, "CONFLICT", LAST_ADMIN)
    row = await user_row(db, admin.id)
    assert row is not None and row["role"] == "admin" and row["is_active"] is True
    assert (await client.get(f"{API}/auth/me", headers=admin.headers)).status_code == 200


async def test_sole_admin_cannot_delete_own_account(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection
) -> None:
    response = await client.request(
        "DELETE",
        f"{API}/users/me",
        json={"password": admin.password, "confirmation": "DELETE"},
        headers=admin.headers,
    )
    assert_error(response, 409, "CONFLICT", LAST_ADMIN)
    assert await active_admins(db) == 1


async def test_inactive_admins_do_not_count(
    client: httpx.AsyncClient, admin: AppUser, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    dormant = await make_user("admin")
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(dormant.id))
    assert_error(await demote(client, admin, admin.id), 409, "CONFLICT", LAST_ADMIN)
    # changing the dormant admin removes nobody active
    assert data(await demote(client, admin, dormant.id))["role"] == "moderator"


@pytest.mark.parametrize(
    "change", [demote, deactivate, soft_delete, hard_delete], ids=lambda c: c.__name__
)
async def test_an_admin_may_go_while_another_stays(
    client: httpx.AsyncClient,
    admin: AppUser,
    make_user: MakeUser,
    db: asyncpg.Connection,
    change: Change,
) -> None:
    other = await make_user("admin")
    assert (await change(client, admin, other.id)).status_code == 200
    assert await active_admins(db) == 1
    assert_error(await demote(client, admin, admin.id), 409, "CONFLICT", LAST_ADMIN)


@pytest.mark.parametrize("change", [demote, deactivate], ids=["demote", "deactivate"])
async def test_two_concurrent_removals_of_the_two_last_admins(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    db: asyncpg.Connection,
    database_url: str,
    change: Change,
) -> None:
    """Each of two admins removes the other at the same moment: exactly one succeeds.

    The test holds both admin rows locked until both requests wait on a lock, so the two
    requests overlap whatever the scheduling; then it lets them go."""
    first, second = await make_user("admin"), await make_user("admin")
    holder = await asyncpg.connect(database_url)
    try:
        hold = holder.transaction()
        await hold.start()
        await holder.execute("SELECT 1 FROM users WHERE role = 'admin' FOR UPDATE")
        requests = asyncio.gather(
            change(client, first, second.id), change(client, second, first.id)
        )
        await _until_lock_waiters(db, 2)
        await hold.commit()
        responses = await asyncio.wait_for(requests, timeout=30)
    finally:
        await holder.close()
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409], [response.text for response in responses]
    assert_error(next(r for r in responses if r.status_code == 409), 409, "CONFLICT", LAST_ADMIN)
    assert await active_admins(db) == 1


async def _until_lock_waiters(db: asyncpg.Connection, count: int) -> None:
    """Wait (bounded) until `count` other backends of this database wait on a row lock."""
    for _ in range(500):
        waiting = await db.fetchval(
            """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'"""
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {count} requests ever waited on the locked admin rows")


# --- the system (CLI) path: no principal, same rule --------------------------------------------


async def test_system_actor_obeys_the_last_admin_rule(
    admin: AppUser, db: asyncpg.Connection
) -> None:
    admin_id = uuid.UUID(admin.id)
    async with db.transaction():
        with pytest.raises(Conflict, match="last active admin"):
            await service.update_role(db, None, admin_id, "user")
    with pytest.raises(Conflict, match="last active admin"):  # no transaction: opens its own
        await service.update_status(db, None, admin_id, False)
    for hard in (False, True):
        with pytest.raises(Conflict, match="last active admin"):
            await service.delete_user(db, None, admin_id, hard)
    assert await active_admins(db) == 1
