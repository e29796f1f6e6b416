"""Email verification: a link at registration and on an email change, verify-email, resend,
the setting that keeps unverified accounts out, and what the emails say."""

from __future__ import annotations

import email
import uuid
from email.message import EmailMessage
from email.policy import default as default_policy

import asyncpg
import httpx
import pytest

from starter.core.config import AuthSettings, EmailSettings
from starter.tasks.handlers.email import build_message
from tests.auth.conftest import ClientFor, bearer, login, login_token, register
from tests.auth.mailbox import LINK_RE, last_token, mails_to
from tests.support.errors import assert_error
from tests.support.users import AppUser

VERIFY = "/api/v1/auth/verify-email"
RESEND = "/api/v1/auth/resend-verification"
PROFILE = "/api/v1/users/me/profile"
BAD_TOKEN = "This link is invalid or has expired. Please request a new one."


@pytest.fixture
async def registered(client: httpx.AsyncClient) -> AppUser:
    """An account made by registering, so its verification email was queued."""
    name = f"reg_{uuid.uuid4().hex[:8]}"
    response = await register(client, name)
    assert response.status_code == 200, response.text
    token = await login_token(client, name)
    return AppUser(response.json()["data"]["id"], name, f"{name}@example.com", "user", token)


async def _verified(db: asyncpg.Connection, address: str) -> bool:
    return bool(await db.fetchval("SELECT email_verified FROM users WHERE email = $1", address))


async def test_registration_mails_a_link_that_verifies(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    await register(client, "vera")
    mails = await mails_to(db, "vera@example.com")
    assert len(mails) == 1
    assert mails[0]["subject"] == "Confirm your email address for starter"
    token = await last_token(db, "vera@example.com", "/auth/verify-email")
    assert not await _verified(db, "vera@example.com")
    response = await client.post(VERIFY, json={"token": token})
    assert response.json() == {"success": True, "data": "Email address verified", "message": None}
    assert await _verified(db, "vera@example.com")
    assert_error(await client.post(VERIFY, json={"token": token}), 400, "INVALID_TOKEN", BAD_TOKEN)


async def test_the_profile_shows_verified_at_once(
    client: httpx.AsyncClient, registered: AppUser, db: asyncpg.Connection
) -> None:
    """The principal cache must not keep the unverified state."""
    assert (await client.get(PROFILE, headers=registered.headers)).json()["data"][
        "email_verified"
    ] is False
    token = await last_token(db, registered.email, "/auth/verify-email")
    await client.post(VERIFY, json={"token": token})
    assert (await client.get(PROFILE, headers=registered.headers)).json()["data"][
        "email_verified"
    ] is True


async def test_the_link_expires_after_a_day(
    client: httpx.AsyncClient, registered: AppUser, db: asyncpg.Connection
) -> None:
    lifetime = await db.fetchval(
        "SELECT EXTRACT(EPOCH FROM expires_at - created_at) FROM account_tokens"
        " WHERE purpose = 'email_verification'"
    )
    assert float(lifetime) == 86400
    token = await last_token(db, registered.email, "/auth/verify-email")
    await db.execute("UPDATE account_tokens SET expires_at = NOW() - interval '1 second'")
    assert_error(await client.post(VERIFY, json={"token": token}), 400, "INVALID_TOKEN", BAD_TOKEN)
    assert not await _verified(db, registered.email)


async def test_resend_retires_the_earlier_link(
    client: httpx.AsyncClient, registered: AppUser, db: asyncpg.Connection
) -> None:
    first = await last_token(db, registered.email, "/auth/verify-email")
    response = await client.post(RESEND, headers=registered.headers)
    assert response.json()["data"] == "Verification email sent"
    second = await last_token(db, registered.email, "/auth/verify-email")
    assert first != second
    assert_error(await client.post(VERIFY, json={"token": first}), 400, "INVALID_TOKEN")
    assert (await client.post(VERIFY, json={"token": second})).status_code == 200
    assert_error(
        await client.post(RESEND, headers=registered.headers),
        409,
        "CONFLICT",
        "Your email address is already verified",
    )


async def test_resend_needs_a_signed_in_user_and_is_limited(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    async with client_for(auth=AuthSettings(recovery_max_requests_per_account=2)) as client:
        assert_error(await client.post(RESEND), 401, "UNAUTHORIZED")
        await register(client, "resender")
        token = await login_token(client, "resender")
        for _ in range(2):
            assert (await client.post(RESEND, headers=bearer(token))).status_code == 200
        assert_error(await client.post(RESEND, headers=bearer(token)), 429, "RATE_LIMITED")


async def test_an_email_change_mails_the_new_address_and_old_links_stop(
    client: httpx.AsyncClient, registered: AppUser, db: asyncpg.Connection
) -> None:
    old_link = await last_token(db, registered.email, "/auth/verify-email")
    await client.post(VERIFY, json={"token": old_link})
    new_address = f"new-{registered.username}@example.com"
    changed = await client.put(PROFILE, headers=registered.headers, json={"email": new_address})
    assert changed.json()["data"]["email_verified"] is False
    token = await last_token(db, new_address, "/auth/verify-email")
    assert (await client.post(VERIFY, json={"token": token})).status_code == 200
    assert await _verified(db, new_address)


async def test_a_link_for_an_address_no_longer_the_users_is_refused(
    client: httpx.AsyncClient, registered: AppUser, db: asyncpg.Connection
) -> None:
    token = await last_token(db, registered.email, "/auth/verify-email")
    # Changed behind the API's back: no new link, but the old one must not verify the new address.
    await db.execute(
        "UPDATE users SET email = 'elsewhere@example.com' WHERE id = $1::uuid", registered.id
    )
    assert_error(await client.post(VERIFY, json={"token": token}), 400, "INVALID_TOKEN")
    assert not await _verified(db, "elsewhere@example.com")


async def test_same_address_or_username_only_sends_nothing(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    before = len(await mails_to(db, user.email))
    await client.put(PROFILE, headers=user.headers, json={"email": user.email.upper()})
    await client.put(PROFILE, headers=user.headers, json={"username": user.username + "x"})
    assert len(await mails_to(db, user.email)) == before
    assert len(await mails_to(db, user.email.upper())) == 0


async def test_unverified_accounts_sign_in_by_default_and_not_when_switched_off(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    async with client_for() as client:
        await register(client, "unverified")
        assert (await login(client, username="unverified")).status_code == 200
    async with client_for(auth=AuthSettings(allow_unverified_login=False)) as client:
        assert_error(
            await login(client, username="unverified"),
            403,
            "EMAIL_NOT_VERIFIED",
            "Please verify your email address before signing in",
        )
        # The wrong password is still the generic 401: the setting reveals nothing.
        assert_error(
            await login(client, username="unverified", password="Wrong-Pass-1!"),
            401,
            "INVALID_CREDENTIALS",
        )
        token = await last_token(db, "unverified@example.com", "/auth/verify-email")
        await client.post(VERIFY, json={"token": token})
        assert (await login(client, username="unverified")).status_code == 200


async def test_the_emails_carry_product_name_and_link_escaped_in_html(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    product = 'Acme <b>"&'
    section = EmailSettings(product_name=product, public_url="https://app.example.com/")
    async with client_for(email=section) as client:
        await register(client, "mailer")
    mail = (await mails_to(db, "mailer@example.com"))[-1]
    assert mail["subject"] == f"Confirm your email address for {product}"
    assert product in mail["body"]
    link = LINK_RE.search(mail["body"])
    assert link is not None and link.group(1) == "https://app.example.com/auth/verify-email"
    assert "Acme &lt;b&gt;&#34;&amp;" in mail["html"]
    assert product not in mail["html"]
    assert f'href="{link.group(0)}"' in mail["html"]
    assert "mailer" in mail["body"] and "mailer" in mail["html"]


def test_the_message_has_plain_and_html_parts() -> None:
    message = build_message(
        "noreply@example.com", ["a@example.com"], "Hi", "plain body", "example.com", "<p>html</p>"
    )
    parsed = email.message_from_bytes(message.as_bytes(), policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and plain.get_content().strip() == "plain body"
    assert html is not None and html.get_content().strip() == "<p>html</p>"
