"""One person, one account: usernames and emails are unique whatever their case, stored as
typed, and a login finds the account whatever case was typed (docs/roles.md)."""

from __future__ import annotations

import httpx
import pytest

from tests.auth.conftest import login, register
from tests.support.errors import assert_error
from tests.support.users import AppUser

API = "/api/v1"


async def test_register_refuses_case_variants(client: httpx.AsyncClient) -> None:
    assert (await register(client, "usera", "usera@example.com")).status_code == 200
    assert_error(
        await register(client, "UserA", "someone@example.com"),
        409,
        "USERNAME_ALREADY_EXISTS",
        "Username already exists",
    )
    assert_error(
        await register(client, "someone", "USERA@EXAMPLE.COM"),
        409,
        "EMAIL_ALREADY_EXISTS",
        "Email already exists",
    )


async def test_spelling_is_kept_as_typed(client: httpx.AsyncClient) -> None:
    created = await register(client, "MixedCase", "Mixed.Case@Example.com")
    assert created.status_code == 200, created.text
    assert created.json()["data"]["username"] == "MixedCase"
    assert created.json()["data"]["email"] == "Mixed.Case@Example.com"


@pytest.mark.parametrize(
    "identity",
    [
        {"username": "ALICE_W"},
        {"username": "alice_w"},
        {"email": "ALICE@EXAMPLE.COM"},
        {"email": "alice@example.com"},
        {"username_or_email": "aLiCe_W"},
        {"username_or_email": "Alice@Example.Com"},
    ],
)
async def test_login_ignores_case(client: httpx.AsyncClient, identity: dict[str, str]) -> None:
    assert (await register(client, "Alice_W", "Alice@Example.com")).status_code == 200
    response = await login(client, **identity)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["user"]["username"] == "Alice_W"


async def test_profile_edits_refuse_case_variants(
    client: httpx.AsyncClient, user: AppUser, admin: AppUser
) -> None:
    own = f"{API}/users/me/profile"
    taken_name = await client.put(
        own, json={"username": admin.username.upper()}, headers=user.headers
    )
    assert_error(taken_name, 409, "USERNAME_ALREADY_EXISTS")
    taken_email = await client.put(own, json={"email": admin.email.upper()}, headers=user.headers)
    assert_error(taken_email, 409, "EMAIL_ALREADY_EXISTS")
    # re-casing one's own name is not a clash with oneself
    recased = await client.put(own, json={"username": user.username.upper()}, headers=user.headers)
    assert recased.status_code == 200, recased.text
    assert recased.json()["data"]["username"] == user.username.upper()

    by_admin = await client.put(
        f"{API}/users/{user.id}/profile", json={"email": admin.email.upper()}, headers=admin.headers
    )
    assert_error(by_admin, 409, "EMAIL_ALREADY_EXISTS")
    created = await client.post(
        f"{API}/users",
        json={
            "username": admin.username.title(),
            "email": "n@example.com",
            "password": "N3w-Secure!",
        },
        headers=admin.headers,
    )
    assert_error(created, 409, "USERNAME_ALREADY_EXISTS")
