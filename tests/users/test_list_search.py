"""GET /users search, filters, sort and totals: `search` across username and email (LIKE
wildcards are literal), `role` and `status`, every sort key and its reverse, `X-Total-Count`,
and the 400 each bad value gets."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.users.helpers import API, data


async def listed(client: httpx.AsyncClient, who: AppUser, **params: Any) -> tuple[list[str], int]:
    """The usernames of the page, and the total the header gives."""
    response = await client.get(f"{API}/users", params=params, headers=who.headers)
    return [u["username"] for u in data(response)], int(response.headers["x-total-count"])


async def arrange(db: asyncpg.Connection, who: AppUser, **columns: Any) -> None:
    for column, value in columns.items():
        await db.execute(f"UPDATE users SET {column} = $2 WHERE id = $1", uuid.UUID(who.id), value)


async def test_search_across_username_and_email_without_case(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    grace = await make_user("user", "grace_hopper")
    ada = await make_user("moderator", "ada")
    await arrange(db, ada, email="Countess.Lovelace@Example.org")
    await make_user("user", "linus")
    assert await listed(client, admin, search="HOPPER") == (["grace_hopper"], 1)
    assert await listed(client, admin, search="lovelace@example") == (["ada"], 1)
    # Contains, not only prefix; both columns at once.
    assert await listed(client, admin, search="ace") == (["ada", "grace_hopper"], 2)
    assert (await listed(client, admin, search=""))[1] == 4  # empty: no filter
    assert await listed(client, admin, search="nobody") == ([], 0)
    assert grace.username == "grace_hopper"


async def test_like_wildcards_in_the_search_match_themselves(
    client: httpx.AsyncClient, make_user: MakeUser, admin: AppUser
) -> None:
    await make_user("user", "a_b")
    await make_user("user", "axb")
    await make_user("user", "pct")
    assert await listed(client, admin, search="a_b") == (["a_b"], 1)
    assert await listed(client, admin, search="%") == ([], 0)
    assert await listed(client, admin, search="\\") == ([], 0)


async def test_role_and_status_filters_combine_with_search(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    await make_user("moderator", "mod_one")
    gone = await make_user("moderator", "mod_gone")
    await arrange(db, gone, is_active=False)
    await make_user("user", "plain_one")
    assert await listed(client, admin, role="moderator") == (["mod_one"], 1)
    assert await listed(client, admin, role="moderator", status="all", sort="username") == (
        ["mod_gone", "mod_one"],
        2,
    )
    assert await listed(client, admin, role="moderator", status="inactive") == (["mod_gone"], 1)
    assert await listed(client, admin, role="admin", search="one") == ([], 0)
    assert await listed(client, admin, search="_one", sort="-username") == (
        ["plain_one", "mod_one"],
        2,
    )


async def test_every_page_carries_the_total(
    client: httpx.AsyncClient, make_user: MakeUser, admin: AppUser
) -> None:
    for n in range(5):
        await make_user("user", f"paged_{n}")
    assert await listed(client, admin, search="paged_", sort="username", limit=2) == (
        ["paged_0", "paged_1"],
        5,
    )
    assert await listed(client, admin, search="paged_", sort="username", limit=2, offset=4) == (
        ["paged_4"],
        5,
    )
    assert await listed(client, admin, search="paged_", offset=10) == ([], 5)
    assert await listed(client, admin, search="paged_", limit=0) == ([], 5)
    assert (await listed(client, admin))[1] == 6  # the admin too


async def test_sort_keys_and_their_reverse(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    staff = await make_user("admin", "s_admin")
    carol = await make_user("moderator", "s_Carol")
    bob = await make_user("user", "s_bob")
    dave = await make_user("user", "s_dave")
    for who, age_hours, login_hours in (
        (staff, 40, None),
        (carol, 30, 5),
        (bob, 20, 1),
        (dave, 10, None),
    ):
        await arrange(
            db,
            who,
            created_at=await db.fetchval("SELECT NOW() - make_interval(hours => $1)", age_hours),
            last_login_at=None
            if login_hours is None
            else await db.fetchval("SELECT NOW() - make_interval(hours => $1)", login_hours),
        )
    expected = {
        "username": ["s_admin", "s_bob", "s_Carol", "s_dave"],  # without case
        "created_at": ["s_admin", "s_Carol", "s_bob", "s_dave"],
        "last_login_at": ["s_admin", "s_dave", "s_Carol", "s_bob"],  # never first, by age
        "role": ["s_bob", "s_dave", "s_Carol", "s_admin"],  # by rank, then age
    }
    for key, names in expected.items():
        assert await listed(client, staff, sort=key) == (names, 4), key
        assert await listed(client, staff, sort=f"-{key}") == (names[::-1], 4), key
    assert (await listed(client, staff))[0] == expected["created_at"][::-1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "email"}, "sort"),
        ({"sort": "-"}, "sort"),
        ({"role": "root"}, "role"),
        ({"status": "gone"}, "status"),
        ({"search": "x" * 101}, "search"),
    ],
)
async def test_bad_values_are_400_naming_the_parameter(
    client: httpx.AsyncClient, admin: AppUser, params: dict[str, str], field: str
) -> None:
    response = await client.get(f"{API}/users", params=params, headers=admin.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith(f"Validation failed for {field}:")


async def test_search_stays_staff_only(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{API}/users", params={"search": "a"}, headers=user.headers)
    assert_error(response, 403, "FORBIDDEN")
    assert "x-total-count" not in response.headers
