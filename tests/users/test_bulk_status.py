"""POST /users/bulk: many accounts (de)activated in one transaction with the single action's
rules per id (moderators manage plain users only, never oneself, the last active admin stays),
per-id outcomes, sessions ended on deactivation, and the 4xx of bad bodies."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from starter.auth.schemas import Principal
from starter.rbac.roles import Role
from starter.users import service as users_service
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.users.helpers import API, active_sessions, data, user_row

BULK = f"{API}/users/bulk"


async def bulk(
    client: httpx.AsyncClient, who: AppUser, action: str, ids: list[str]
) -> dict[str, Any]:
    response = await client.post(BULK, json={"action": action, "ids": ids}, headers=who.headers)
    body: dict[str, Any] = data(response)
    return body


def outcomes(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["id"], r["outcome"]) for r in body["results"]]


async def is_active(db: asyncpg.Connection, who: AppUser | str) -> bool:
    row = await user_row(db, who.id if isinstance(who, AppUser) else who)
    assert row is not None
    return bool(row["is_active"])


async def test_moderator_deactivates_plain_users_only(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    moderator = await make_user("moderator")
    a, b = await make_user("user"), await make_user("user")
    other_mod = await make_user("moderator")
    missing = str(uuid.uuid4())
    ids = [a.id, other_mod.id, admin.id, missing, moderator.id, b.id, a.id]
    body = await bulk(client, moderator, "deactivate", ids)
    assert outcomes(body) == [
        (a.id, "ok"),
        (other_mod.id, "forbidden"),
        (admin.id, "forbidden"),
        (missing, "not_found"),
        (moderator.id, "self"),
        (b.id, "ok"),
    ]
    assert (body["action"], body["succeeded"], body["failed"]) == ("deactivate", 2, 4)
    assert body["results"][0]["message"] is None
    assert body["results"][1]["message"] == (
        "Admin access required to manage a moderator or admin account"
    )
    assert [await is_active(db, w) for w in (a, b, other_mod, admin, moderator)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    # Deactivation ends every session: the user's token stops working at once.
    assert await active_sessions(db, a.id) == 0
    response = await client.get(f"{API}/users/me", headers=a.headers)
    assert response.status_code == 401


async def test_activate_brings_accounts_back(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    a, b = await make_user("user"), await make_user("moderator")
    await bulk(client, admin, "deactivate", [a.id, b.id])
    body = await bulk(client, admin, "activate", [a.id, b.id])
    assert outcomes(body) == [(a.id, "ok"), (b.id, "ok")]
    assert await is_active(db, a) and await is_active(db, b)
    # Already in the asked state is fine, as with the single action.
    assert outcomes(await bulk(client, admin, "activate", [a.id])) == [(a.id, "ok")]


async def test_admins_deactivate_other_admins(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    second, third = await make_user("admin"), await make_user("admin")
    body = await bulk(client, admin, "deactivate", [second.id, admin.id, third.id])
    assert outcomes(body) == [(second.id, "ok"), (admin.id, "self"), (third.id, "ok")]
    rows = await db.fetch("SELECT id FROM users WHERE role = 'admin' AND is_active")
    assert [str(r["id"]) for r in rows] == [admin.id]


async def test_the_last_active_admin_stays_within_a_batch(
    db: asyncpg.Connection, make_user: MakeUser
) -> None:
    """A signed-in admin always counts as an active admin and is never changed (`self`), so
    over HTTP the rule shows only when the actor lost the role meanwhile: here an admin whose
    account is gone by the time the batch locks the rows."""
    first, second = await make_user("admin"), await make_user("admin")
    gone = Principal(uuid.uuid4(), "gone", "gone@example.com", Role.ADMIN)
    body = await users_service.bulk_status(
        db, gone, "deactivate", [uuid.UUID(first.id), uuid.UUID(second.id)]
    )
    assert [(str(r.id), r.outcome) for r in body.results] == [
        (first.id, "ok"),
        (second.id, "last_admin"),
    ]
    assert body.results[1].message is not None
    assert body.results[1].message.startswith("Cannot remove the last active admin")
    assert not await is_active(db, first)
    assert await is_active(db, second)


async def test_a_failure_mid_batch_changes_nothing(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    """One transaction: when ending a session fails for the second account, the first one's
    deactivation is rolled back too."""
    a, b = await make_user("user"), await make_user("user")
    await db.execute(
        """CREATE FUNCTION refuse_session_end() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"""
    )
    await db.execute(
        f"""CREATE TRIGGER refuse_b BEFORE UPDATE ON sessions FOR EACH ROW
            WHEN (OLD.user_id = '{uuid.UUID(b.id)}') EXECUTE FUNCTION refuse_session_end()"""
    )
    response = await client.post(
        BULK, json={"action": "deactivate", "ids": [a.id, b.id]}, headers=admin.headers
    )
    assert response.status_code == 500
    assert await is_active(db, a) and await is_active(db, b)
    assert await active_sessions(db, a.id) == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"action": "delete", "ids": []}, 422, "action"),
        ({"action": "activate", "ids": []}, 422, "ids"),
        ({"action": "activate", "ids": ["nope"]}, 422, "ids"),
        ({"action": "activate"}, 422, "ids"),
        ({"action": "activate", "ids": [str(uuid.uuid4())] * 1001}, 400, "ids"),  # past the cap
    ],
)
async def test_bad_bodies(
    client: httpx.AsyncClient, admin: AppUser, body: dict[str, Any], status: int, field: str
) -> None:
    response = await client.post(BULK, json=body, headers=admin.headers)
    assert_error(response, status, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith(f"Validation failed for {field}")


async def test_plain_users_may_not(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.post(
        BULK, json={"action": "deactivate", "ids": [user.id]}, headers=user.headers
    )
    assert_error(response, 403, "FORBIDDEN")
