"""Failed-login limiting per account and per client address (429 RATE_LIMITED + Retry-After)."""

from __future__ import annotations

import asyncpg
import httpx

from starter.core.config import AuthSettings, ServerSettings
from tests.auth.conftest import ClientFor, login, register
from tests.support.errors import assert_error

MESSAGE = "Too many failed login attempts. Please try again later."
WRONG = "WrongPassword1!"


def _limited(response: httpx.Response, window: int = 60) -> None:
    assert_error(response, 429, "RATE_LIMITED", MESSAGE)
    assert 1 <= int(response.headers["retry-after"]) <= window + 1


async def test_account_limit_blocks_even_the_right_password(client_for: ClientFor) -> None:
    limits = AuthSettings(login_max_failures_per_account=3, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "target")
        for _ in range(3):
            assert_error(
                await login(app, username="target", password=WRONG), 401, "INVALID_CREDENTIALS"
            )
        _limited(await login(app, username="target"))
        _limited(await login(app, username="target", password=WRONG))


async def test_account_limit_counts_unknown_accounts_too(client_for: ClientFor) -> None:
    limits = AuthSettings(login_max_failures_per_account=2, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        for _ in range(2):
            assert_error(await login(app, username="ghost_user"), 401, "INVALID_CREDENTIALS")
        _limited(await login(app, username="ghost_user"))
        # another account is unaffected
        assert_error(await login(app, username="other_user"), 401, "INVALID_CREDENTIALS")


async def test_address_limit_spans_accounts(client_for: ClientFor) -> None:
    limits = AuthSettings(login_max_failures_per_address=3, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "victim")
        for name in ("first_try", "second_try", "third_try"):
            assert_error(await login(app, username=name), 401, "INVALID_CREDENTIALS")
        _limited(await login(app, username="victim"))


async def test_success_clears_the_account_counter(client_for: ClientFor) -> None:
    limits = AuthSettings(login_max_failures_per_account=3, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "forgetful")
        for _ in range(2):
            assert_error(
                await login(app, username="forgetful", password=WRONG), 401, "INVALID_CREDENTIALS"
            )
        assert (await login(app, username="forgetful")).status_code == 200
        for _ in range(2):
            assert_error(
                await login(app, username="forgetful", password=WRONG), 401, "INVALID_CREDENTIALS"
            )
        assert (await login(app, username="forgetful")).status_code == 200


async def test_failures_outside_the_window_do_not_count(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    limits = AuthSettings(login_max_failures_per_account=2, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "slowpoke")
        for _ in range(2):
            await login(app, username="slowpoke", password=WRONG)
        _limited(await login(app, username="slowpoke"))
        await db.execute("UPDATE login_failures SET failed_at = NOW() - interval '61 seconds'")
        assert (await login(app, username="slowpoke")).status_code == 200


async def test_defaults_do_not_trip_on_five_typos(client: httpx.AsyncClient) -> None:
    await register(client, "typist")
    for _ in range(5):
        assert_error(
            await login(client, username="typist", password=WRONG), 401, "INVALID_CREDENTIALS"
        )
    assert (await login(client, username="typist")).status_code == 200


async def test_validation_errors_are_not_counted(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    limits = AuthSettings(login_max_failures_per_account=1, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "careful")
        for _ in range(3):
            assert_error(
                await login(app, username="careful", password=""), 400, "VALIDATION_FAILED"
            )
        assert await db.fetchval("SELECT count(*) FROM login_failures") == 0
        assert (await login(app, username="careful")).status_code == 200


async def test_health_is_never_limited(client: httpx.AsyncClient) -> None:
    for _ in range(20):
        assert (await client.get("/api/v1/health")).status_code == 200


# --- the account budget belongs to the account, not to what was typed ---------------------------


async def test_every_identifier_of_an_account_spends_one_budget(client_for: ClientFor) -> None:
    """Username, email and either, in any case: one account, one budget (no 10 tries each)."""
    limits = AuthSettings(login_max_failures_per_account=3, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "Shared_Budget", "shared@example.com")
        for identity in (
            {"username": "shared_budget"},
            {"email": "SHARED@example.com"},
            {"username_or_email": "Shared_Budget"},
        ):
            assert_error(await login(app, **identity, password=WRONG), 401, "INVALID_CREDENTIALS")
        _limited(await login(app, email="shared@example.com"))
        _limited(await login(app, username="Shared_Budget"))


async def test_the_budget_follows_the_account_across_a_rename(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    limits = AuthSettings(login_max_failures_per_account=2, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "renamed")
        for _ in range(2):
            await login(app, username="renamed", password=WRONG)
        await db.execute("UPDATE users SET username = 'renamed_now' WHERE username = 'renamed'")
        _limited(await login(app, username="renamed_now"))
        # whoever takes the old name next starts with a clean budget of their own
        await register(app, "renamed", "newcomer@example.com")
        assert (await login(app, username="renamed")).status_code == 200


async def test_unknown_identifiers_share_a_budget_whatever_the_case(
    client_for: ClientFor,
) -> None:
    limits = AuthSettings(login_max_failures_per_account=2, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        await register(app, "known_one")
        for name in ("Ghost_Name", "GHOST_NAME"):
            assert_error(await login(app, username=name), 401, "INVALID_CREDENTIALS")
        for _ in range(2):
            await login(app, username="known_one", password=WRONG)
        unknown, known = (
            await login(app, username="ghost_name"),
            await login(app, username="known_one"),
        )
        _limited(unknown)
        _limited(known)
        assert unknown.content == known.content  # nothing tells a real account from a made-up one


# --- the client address: the socket peer unless a trusted proxy says otherwise -----------------


async def test_forwarded_for_is_ignored_by_default(client_for: ClientFor) -> None:
    limits = AuthSettings(login_max_failures_per_address=3, login_failure_window_secs=60)
    async with client_for(auth=limits) as app:
        for n in range(3):
            forged = {"X-Forwarded-For": f"203.0.113.{n}"}
            response = await app.post(
                "/api/v1/auth/login",
                json={"username": f"spray_{n}", "password": WRONG},
                headers=forged,
            )
            assert_error(response, 401, "INVALID_CREDENTIALS")
        _limited(await login(app, username="spray_next"))


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(client_for: ClientFor) -> None:
    limits = AuthSettings(login_max_failures_per_address=2, login_failure_window_secs=60)
    proxy = ServerSettings(access_log=False, trusted_proxies=["127.0.0.0/8"])  # the ASGI peer
    async with client_for(auth=limits, server=proxy) as app:

        async def attempt(client_ip: str, name: str) -> httpx.Response:
            return await app.post(
                "/api/v1/auth/login",
                json={"username": name, "password": WRONG},
                headers={"X-Forwarded-For": f"198.51.100.7, {client_ip}"},
            )

        for n in range(2):
            assert_error(await attempt("192.0.2.1", f"first_{n}"), 401, "INVALID_CREDENTIALS")
        _limited(await attempt("192.0.2.1", "first_more"))
        # another client behind the same proxy keeps its own budget
        assert_error(await attempt("192.0.2.2", "second"), 401, "INVALID_CREDENTIALS")
