"""Forgot / reset password: the same answer for every address, single-use expiring tokens that
a new request retires, the password rules, every session ended, and the rate limits."""

from __future__ import annotations

import asyncio
import statistics
import time

import asyncpg
import httpx
import pytest

from starter.core.config import AuthSettings
from starter.core.security import digest
from tests.auth.conftest import ClientFor, bearer, login, register
from tests.auth.mailbox import last_token, mails_to
from tests.support.errors import assert_error
from tests.support.users import PASSWORD, AppUser

FORGOT = "/api/v1/auth/forgot-password"
RESET = "/api/v1/auth/reset-password"
NEW_PASSWORD = "Brand-New-Pass-42!"
BAD_TOKEN = "This link is invalid or has expired. Please request a new one."
FAST = AuthSettings(recovery_min_answer_secs=0)


async def _forgot(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post(FORGOT, json={"email": email})


async def _reset(
    client: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return await client.post(RESET, json={"token": token, "new_password": password})


async def test_known_and_unknown_addresses_get_the_same_answer(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    known = await _forgot(client, user.email)
    unknown = await _forgot(client, "nobody-here@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert known.json()["data"].startswith("If an account uses that address")
    assert set(known.headers) - {"x-request-id", "x-response-time"} == set(unknown.headers) - {
        "x-request-id",
        "x-response-time",
    }
    assert len(await mails_to(db, user.email)) == 1
    assert await mails_to(db, "nobody-here@example.com") == []


async def _timed(client: httpx.AsyncClient, email: str) -> float:
    started = time.perf_counter()
    response = await _forgot(client, email)
    assert response.status_code == 200
    return time.perf_counter() - started


async def test_known_and_unknown_addresses_take_the_same_time(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    """Medians of alternating requests: the known ones store a token and queue an email, the
    unknown ones do not; both answer after the floor, so the medians stay within 20 %."""
    floor = 0.15
    limits = AuthSettings(recovery_min_answer_secs=floor, recovery_max_requests_per_account=100)
    async with client_for(auth=limits) as client:
        await register(client, "timing_user")
        known, unknown = [], []
        for i in range(6):
            known.append(await _timed(client, "timing_user@example.com"))
            unknown.append(await _timed(client, f"ghost{i}@example.com"))
    assert min(known + unknown) >= floor
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.8 < ratio < 1.25, (known, unknown)


async def test_reset_sets_the_password_and_ends_every_session(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(auth=FAST) as client:
        other = (await login(client, username=user.username)).json()["data"]["session_token"]
        await _forgot(client, user.email)
        token = await last_token(db, user.email, "/auth/reset-password")
        assert len(token) >= 43  # 32 random bytes
        response = await _reset(client, token)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == "Password has been reset"
        for session in (user.token, other):
            assert (await client.get("/api/v1/auth/me", headers=bearer(session))).status_code == 401
        assert (await login(client, username=user.username)).status_code == 401
        assert (
            await login(client, username=user.username, password=NEW_PASSWORD)
        ).status_code == 200


async def test_the_token_is_stored_only_as_its_digest(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(auth=FAST) as client:
        await _forgot(client, user.email)
    token = await last_token(db, user.email, "/auth/reset-password")
    stored = await db.fetch(
        "SELECT token_hash FROM account_tokens WHERE purpose = 'password_reset'"
    )
    assert [row["token_hash"] for row in stored] == [digest(token)]


async def test_a_token_works_once(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(auth=FAST) as client:
        await _forgot(client, user.email)
        token = await last_token(db, user.email, "/auth/reset-password")
        assert (await _reset(client, token)).status_code == 200
        assert_error(
            await _reset(client, token, "Another-Pass-43!"), 400, "INVALID_TOKEN", BAD_TOKEN
        )


async def test_a_new_request_retires_the_earlier_token(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(auth=FAST) as client:
        await _forgot(client, user.email)
        first = await last_token(db, user.email, "/auth/reset-password")
        await _forgot(client, user.email)
        second = await last_token(db, user.email, "/auth/reset-password")
        assert first != second
        assert_error(await _reset(client, first), 400, "INVALID_TOKEN", BAD_TOKEN)
        assert (await _reset(client, second)).status_code == 200


async def test_an_expired_token_is_refused(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(
        auth=AuthSettings(recovery_min_answer_secs=0, password_reset_token_minutes=0.02)
    ) as client:
        await _forgot(client, user.email)
        token = await last_token(db, user.email, "/auth/reset-password")
        lifetime = await db.fetchval(
            "SELECT EXTRACT(EPOCH FROM expires_at - created_at) FROM account_tokens"
            " WHERE purpose = 'password_reset'"
        )
        assert float(lifetime) == pytest.approx(1.2, abs=0.01)
        await asyncio.sleep(1.3)
        assert_error(await _reset(client, token), 400, "INVALID_TOKEN", BAD_TOKEN)


async def test_the_default_lifetime_is_an_hour(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(auth=FAST) as client:
        await _forgot(client, user.email)
    lifetime = await db.fetchval(
        "SELECT EXTRACT(EPOCH FROM expires_at - created_at) FROM account_tokens"
        " WHERE purpose = 'password_reset'"
    )
    assert float(lifetime) == pytest.approx(3600, abs=1)


async def test_unknown_and_malformed_tokens_get_one_message(client_for: ClientFor) -> None:
    async with client_for(auth=FAST) as client:
        for token in ("", "x" * 43, "not a token at all"):
            assert_error(await _reset(client, token), 400, "INVALID_TOKEN", BAD_TOKEN)
        assert_error(await _reset(client, "x" * 257), 400, "VALIDATION_FAILED")


async def test_the_password_rules_apply_and_keep_the_token(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(auth=FAST) as client:
        await _forgot(client, user.email)
        token = await last_token(db, user.email, "/auth/reset-password")
        assert_error(
            await _reset(client, token, "short"),
            400,
            "VALIDATION_FAILED",
            "Validation failed for new_password: Password must be at least 8 characters long",
        )
        assert (await client.get("/api/v1/auth/me", headers=user.headers)).status_code == 200
        assert (await _reset(client, token)).status_code == 200


async def test_an_inactive_account_gets_no_mail_and_its_token_stops(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    async with client_for(auth=FAST) as client:
        await _forgot(client, user.email)
        token = await last_token(db, user.email, "/auth/reset-password")
        await db.execute("UPDATE users SET is_active = FALSE WHERE email = $1", user.email)
        before = len(await mails_to(db, user.email))
        assert (await _forgot(client, user.email)).status_code == 200
        assert len(await mails_to(db, user.email)) == before
        assert_error(await _reset(client, token), 400, "INVALID_TOKEN", BAD_TOKEN)


async def test_the_email_is_queued_with_the_token_in_one_transaction(
    client_for: ClientFor, user: AppUser, db: asyncpg.Connection
) -> None:
    """An email that cannot be queued takes the token with it: nothing is left half done."""
    await db.execute(
        """CREATE FUNCTION refuse_email() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'no email today'; END; $$ LANGUAGE plpgsql"""
    )
    await db.execute(
        "CREATE TRIGGER refuse_email BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION refuse_email()"
    )
    try:
        async with client_for(auth=FAST) as client:
            response = await client.post(FORGOT, json={"email": user.email})
            assert response.status_code == 500
        assert (
            await db.fetchval(
                "SELECT count(*) FROM account_tokens WHERE purpose = 'password_reset'"
            )
            == 0
        )
    finally:
        await db.execute("DROP TRIGGER refuse_email ON tasks")
        await db.execute("DROP FUNCTION refuse_email()")


async def test_requests_are_limited_per_account(client_for: ClientFor, user: AppUser) -> None:
    limits = AuthSettings(recovery_min_answer_secs=0, recovery_max_requests_per_account=2)
    async with client_for(auth=limits) as client:
        for _ in range(2):
            assert (await _forgot(client, user.email)).status_code == 200
        limited = await _forgot(client, user.email.upper())
        assert_error(limited, 429, "RATE_LIMITED")
        assert int(limited.headers["retry-after"]) >= 1
        # An address no account uses is limited the same way: the 429 tells nothing either.
        for _ in range(2):
            await _forgot(client, "ghost@example.com")
        assert_error(await _forgot(client, "ghost@example.com"), 429, "RATE_LIMITED")
        assert (await _forgot(client, "other-ghost@example.com")).status_code == 200


async def test_requests_and_bad_tokens_are_limited_per_address(client_for: ClientFor) -> None:
    limits = AuthSettings(recovery_min_answer_secs=0, recovery_max_requests_per_address=3)
    async with client_for(auth=limits) as client:
        for i in range(2):
            assert (await _forgot(client, f"ghost{i}@example.com")).status_code == 200
        assert_error(await _reset(client, "y" * 43), 400, "INVALID_TOKEN")
        assert_error(await _forgot(client, "ghost9@example.com"), 429, "RATE_LIMITED")
        assert_error(await _reset(client, "y" * 43), 429, "RATE_LIMITED")


async def test_login_failures_do_not_spend_the_recovery_budget(
    client_for: ClientFor, user: AppUser
) -> None:
    limits = AuthSettings(recovery_min_answer_secs=0, recovery_max_requests_per_account=1)
    async with client_for(auth=limits) as client:
        for _ in range(3):
            await login(client, username=user.username, password="Wrong-Pass-1!")
        assert (await _forgot(client, user.email)).status_code == 200


async def test_a_malformed_address_is_a_validation_error(client: httpx.AsyncClient) -> None:
    assert_error(
        await _forgot(client, "not-an-address"),
        400,
        "VALIDATION_FAILED",
        "Validation failed for email: Invalid email format",
    )
    assert_error(await client.post(FORGOT, json={}), 422, "VALIDATION_FAILED")


async def test_logging_in_with_the_old_password_still_works_before_the_reset(
    client_for: ClientFor, user: AppUser
) -> None:
    async with client_for(auth=FAST) as client:
        await _forgot(client, user.email)
        assert (await login(client, username=user.username, password=PASSWORD)).status_code == 200
