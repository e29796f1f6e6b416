"""`starter admin users …` as an operator locked out of the web app uses it: real CLI runs
against a real database, asserting what they print and what they changed."""

from __future__ import annotations

import json

import asyncpg
import httpx

from starter.auth.service import create_account
from starter.rbac.roles import Role
from tests.cli.conftest import Starter
from tests.cli.test_commands import STRONG, _assert_one_line_failure

NEW_PASSWORD = "N3w!Passw0rd-cli"


async def _accounts(db: asyncpg.Connection) -> None:
    await create_account(db, "boss", "boss@example.com", STRONG, Role.ADMIN)
    await create_account(db, "mia", "mia@example.com", STRONG, Role.MODERATOR)
    gone = await create_account(db, "gone", "gone@example.com", STRONG)
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", gone.id)


async def test_list_shows_every_account_as_a_table(
    starter: Starter, db: asyncpg.Connection
) -> None:
    await _accounts(db)
    result = await starter("admin", "users", "list")
    assert result.code == 0, result
    rows = {line.split("│")[2].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert "┃ Username" in result.stdout, result.stdout
    assert set(rows) == {"boss", "mia", "gone"}, result.stdout
    assert "│ admin " in rows["boss"] and "│ yes " in rows["boss"]
    assert "│ user " in rows["gone"] and "│ no " in rows["gone"]

    inactive = await starter("admin", "users", "list", "--status", "inactive")
    assert "gone" in inactive.stdout and "boss" not in inactive.stdout


async def test_list_json(starter: Starter, db: asyncpg.Connection) -> None:
    await _accounts(db)
    result = await starter("admin", "users", "list", "--json", "--status", "active")
    assert result.code == 0, result
    users = json.loads(result.stdout)
    assert sorted((u["username"], u["role"], u["is_active"]) for u in users) == [
        ("boss", "admin", True),
        ("mia", "moderator", True),
    ]
    assert "password_hash" not in result.stdout


async def test_list_of_nothing(starter: Starter) -> None:
    result = await starter("admin", "users", "list")
    assert (result.code, result.stdout) == (0, "No accounts found\n"), result


async def test_set_role_by_username_and_email(starter: Starter, db: asyncpg.Connection) -> None:
    await _accounts(db)
    result = await starter("admin", "users", "set-role", "mia", "admin")
    assert (result.code, result.stdout) == (0, "mia is now admin\n"), result
    by_email = await starter("admin", "users", "set-role", "MIA@example.com", "user", "--json")
    assert by_email.code == 0, by_email
    assert json.loads(by_email.stdout)["role"] == "user"
    assert await db.fetchval("SELECT role FROM users WHERE username = 'mia'") == "user"


async def test_last_admin_keeps_the_role(starter: Starter, db: asyncpg.Connection) -> None:
    await _accounts(db)
    demote = await starter("admin", "users", "set-role", "boss", "user")
    _assert_one_line_failure(demote, "Cannot remove the last active admin")
    deactivate = await starter("admin", "users", "set-active", "boss", "no")
    _assert_one_line_failure(deactivate, "Cannot remove the last active admin")
    assert await db.fetchval("SELECT role FROM users WHERE username = 'boss'") == "admin"


async def test_unknown_account_and_role_are_one_line(
    starter: Starter, db: asyncpg.Connection
) -> None:
    await _accounts(db)
    missing = await starter("admin", "users", "set-active", "nobody", "yes")
    _assert_one_line_failure(missing, "no account with id, username or email 'nobody'")
    bad_role = await starter("admin", "users", "set-role", "mia", "owner")
    assert bad_role.code == 2, bad_role
    assert "'owner' is not one of 'user', 'moderator', 'admin'" in bad_role.stderr


async def test_reactivate_and_deactivate(starter: Starter, db: asyncpg.Connection) -> None:
    await _accounts(db)
    back = await starter("admin", "users", "set-active", "gone", "yes")
    assert (back.code, back.stdout) == (0, "gone is now active\n"), back
    away = await starter("admin", "users", "set-active", "mia", "no")
    assert away.stdout == "mia is now inactive (its sessions ended)\n", away
    rows = dict(await db.fetch("SELECT username, is_active FROM users"))
    assert rows == {"boss": True, "mia": False, "gone": True}


async def test_reset_password_lets_the_account_sign_in(
    starter: Starter, db: asyncpg.Connection, client: httpx.AsyncClient
) -> None:
    await _accounts(db)
    prompted = f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n".encode()
    result = await starter("admin", "users", "reset-password", "boss", stdin=prompted)
    assert result.code == 0, result
    assert result.stdout.endswith("Password of boss reset; its sessions ended\n"), result
    assert NEW_PASSWORD not in result.stdout + result.stderr
    login = await client.post(
        "/api/v1/auth/login", json={"username": "boss", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200, login.text

    weak = await starter("admin", "users", "reset-password", "boss", "--password", "short")
    _assert_one_line_failure(weak, "Validation failed for password: ")
