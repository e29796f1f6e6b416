"""Moderators manage `user` accounts only; moderator and admin accounts need an admin.

The attack this closes: a moderator reset an admin's password (or deactivated the admins) and
then logged in as that admin. See docs/roles.md.
"""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.users.helpers import API, STRONG, active_sessions, data, login, user_row

STAFF_TARGET = "Admin access required to manage a moderator or admin account"


def status_url(user_id: str) -> str:
    return f"{API}/users/{user_id}/status"


def reset_url(user_id: str) -> str:
    return f"{API}/users/{user_id}/reset-password"


@pytest.mark.parametrize("target_role", ["admin", "moderator"])
async def test_moderator_cannot_take_over_staff_by_password_reset(
    client: httpx.AsyncClient,
    moderator: AppUser,
    make_user: MakeUser,
    db: asyncpg.Connection,
    target_role: str,
) -> None:
    target = await make_user(target_role)
    before = await user_row(db, target.id)
    response = await client.post(
        reset_url(target.id), json={"new_password": STRONG}, headers=moderator.headers
    )
    assert_error(response, 403, "FORBIDDEN", STAFF_TARGET)
    assert_error(await login(client, target.username, STRONG), 401, "INVALID_CREDENTIALS")
    after = await user_row(db, target.id)
    assert before is not None and after is not None
    assert after["password_hash"] == before["password_hash"]
    assert await active_sessions(db, target.id) == 1


@pytest.mark.parametrize("target_role", ["admin", "moderator"])
@pytest.mark.parametrize("is_active", [False, True])
async def test_moderator_cannot_change_status_of_staff(
    client: httpx.AsyncClient,
    moderator: AppUser,
    make_user: MakeUser,
    db: asyncpg.Connection,
    target_role: str,
    is_active: bool,
) -> None:
    target = await make_user(target_role)
    if is_active:  # reactivating a deactivated admin is just as much an admin's decision
        await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1::uuid", target.id)
    response = await client.put(
        status_url(target.id), json={"is_active": is_active}, headers=moderator.headers
    )
    assert_error(response, 403, "FORBIDDEN", STAFF_TARGET)
    row = await user_row(db, target.id)
    assert row is not None and row["is_active"] is (not is_active)


async def test_moderator_cannot_deactivate_self(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    response = await client.put(
        status_url(moderator.id), json={"is_active": False}, headers=moderator.headers
    )
    assert_error(response, 403, "FORBIDDEN", STAFF_TARGET)
    assert await active_sessions(db, moderator.id) == 1


async def test_moderator_still_manages_users(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    off = await client.put(
        status_url(user.id), json={"is_active": False}, headers=moderator.headers
    )
    assert data(off)["is_active"] is False
    reset = await client.post(
        reset_url(user.id), json={"new_password": STRONG}, headers=moderator.headers
    )
    assert data(reset) == "Password reset successfully"


@pytest.mark.parametrize("target_role", ["admin", "moderator", "user"])
async def test_admin_manages_every_role(
    client: httpx.AsyncClient, admin: AppUser, make_user: MakeUser, target_role: str
) -> None:
    await make_user("admin")  # the target is never the last admin here
    target = await make_user(target_role)
    reset = await client.post(
        reset_url(target.id), json={"new_password": STRONG}, headers=admin.headers
    )
    assert data(reset) == "Password reset successfully"
    assert (await login(client, target.username, STRONG)).status_code == 200
    off = await client.put(status_url(target.id), json={"is_active": False}, headers=admin.headers)
    assert data(off)["is_active"] is False


async def test_unknown_target_is_still_404_for_moderators(
    client: httpx.AsyncClient, moderator: AppUser
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    response = await client.post(
        reset_url(unknown), json={"new_password": STRONG}, headers=moderator.headers
    )
    assert_error(response, 404, "NOT_FOUND", "User not found")


# --- what a moderator sees: the list and the detail agree ---------------------------------------


async def test_moderator_sees_in_detail_whom_the_list_shows(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser, make_user: MakeUser
) -> None:
    admin = await make_user("admin")
    other_mod = await make_user("moderator")
    listed = data(await client.get(f"{API}/users", headers=moderator.headers))
    listed_ids = {row["id"] for row in listed}
    assert {admin.id, other_mod.id, user.id, moderator.id} <= listed_ids
    for row in listed:
        detail = data(await client.get(f"{API}/users/{row['id']}", headers=moderator.headers))
        assert detail == row
