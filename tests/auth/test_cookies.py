"""Cookie sessions for the SPA: HttpOnly session cookie, readable CSRF cookie, double submit."""

from __future__ import annotations

import httpx

from starter.core.config import AuthSettings
from starter.core.security import digest
from tests.auth.conftest import ClientFor, bearer, login, register
from tests.support.errors import assert_error

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
CSRF_MESSAGE = "Missing or invalid CSRF token"


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """Cookie name → its full Set-Cookie header."""
    headers = response.headers.get_list("set-cookie")
    return {header.split("=", 1)[0]: header for header in headers}


async def _cookie_login(client: httpx.AsyncClient, name: str = "cookie_user") -> httpx.Response:
    await register(client, name)
    response = await login(client, username=name)
    assert response.status_code == 200
    return response


async def test_login_sets_session_and_csrf_cookies(client: httpx.AsyncClient) -> None:
    response = await _cookie_login(client)
    cookies = _set_cookies(response)
    session = cookies["starter_session"].lower()
    csrf = cookies["starter_csrf"].lower()
    assert "httponly" in session
    assert "samesite=lax" in session
    assert "path=/" in session
    assert "max-age=" in session
    assert "secure" not in session
    assert "httponly" not in csrf
    assert "samesite=lax" in csrf
    assert client.cookies["starter_session"] == response.json()["data"]["session_token"]
    assert len(client.cookies["starter_csrf"]) >= 24


async def test_secure_cookie_setting(client_for: ClientFor) -> None:
    async with client_for(auth=AuthSettings(cookie_secure=True)) as app:
        await register(app, "secure_user")
        response = await login(app, username="secure_user")
    cookies = _set_cookies(response)
    assert "; secure" in cookies["starter_session"].lower()
    assert "; secure" in cookies["starter_csrf"].lower()


async def test_cookie_authenticates_safe_requests(client: httpx.AsyncClient) -> None:
    await _cookie_login(client, "safe_cookie")
    response = await client.get(ME)
    assert response.status_code == 200
    assert response.json()["data"]["username"] == "safe_cookie"


async def test_cookie_unsafe_request_needs_matching_csrf_header(
    client: httpx.AsyncClient,
) -> None:
    await _cookie_login(client)
    assert_error(await client.post(REFRESH), 403, "FORBIDDEN", CSRF_MESSAGE)
    wrong = {"X-CSRF-Token": "not-the-cookie-value"}
    assert_error(await client.post(REFRESH, headers=wrong), 403, "FORBIDDEN", CSRF_MESSAGE)
    right = {"X-CSRF-Token": client.cookies["starter_csrf"]}
    response = await client.post(REFRESH, headers=right)
    assert response.status_code == 200, response.text


async def test_csrf_cookie_alone_does_not_authenticate(client: httpx.AsyncClient) -> None:
    await _cookie_login(client)
    csrf = client.cookies["starter_csrf"]
    client.cookies.clear()
    client.cookies.set("starter_csrf", csrf)
    response = await client.post(REFRESH, headers={"X-CSRF-Token": csrf})
    assert_error(response, 401, "UNAUTHORIZED")


async def test_refresh_by_cookie_renews_the_cookie(client: httpx.AsyncClient) -> None:
    login_response = await _cookie_login(client)
    token = login_response.json()["data"]["session_token"]
    csrf = client.cookies["starter_csrf"]
    response = await client.post(REFRESH, headers={"X-CSRF-Token": csrf})
    cookies = _set_cookies(response)
    assert f"starter_session={token};" in cookies["starter_session"]
    assert f"starter_csrf={csrf};" in cookies["starter_csrf"]


async def test_refresh_by_bearer_sets_no_cookie(client: httpx.AsyncClient) -> None:
    token = (await _cookie_login(client)).json()["data"]["session_token"]
    client.cookies.clear()
    response = await client.post(REFRESH, headers=bearer(token))
    assert response.status_code == 200
    assert "set-cookie" not in response.headers


async def test_cookie_logout_clears_cookies_and_ends_the_session(
    client: httpx.AsyncClient,
) -> None:
    token = (await _cookie_login(client)).json()["data"]["session_token"]
    response = await client.post(
        "/api/v1/auth/logout", headers={"X-CSRF-Token": client.cookies["starter_csrf"]}
    )
    assert response.status_code == 200
    assert "starter_session" not in client.cookies
    assert_error(await client.get(ME), 401, "UNAUTHORIZED")
    assert_error(await client.get(ME, headers=bearer(token)), 401, "UNAUTHORIZED")


async def test_malformed_authorization_header_does_not_fall_back_to_cookie(
    client: httpx.AsyncClient,
) -> None:
    await _cookie_login(client)
    response = await client.get(ME, headers={"Authorization": "Basic abc"})
    assert_error(response, 401, "UNAUTHORIZED")
    response = await client.get(ME, headers=bearer("wrong-token"))
    assert_error(response, 401, "UNAUTHORIZED")


async def test_bearer_requests_need_no_csrf_header(client: httpx.AsyncClient, db) -> None:
    token = (await _cookie_login(client)).json()["data"]["session_token"]
    assert await db.fetchval("SELECT count(*) FROM sessions WHERE token_hash = $1", digest(token))
    # The cookie jar still holds the cookies, but the bearer credential wins: no CSRF needed.
    response = await client.post(REFRESH, headers=bearer(token))
    assert response.status_code == 200


async def test_attacker_chosen_csrf_pair_is_refused(client: httpx.AsyncClient) -> None:
    """A cookie planted by an attacker (a sibling subdomain can set one) plus the matching
    header is no proof: the token must be the one this session implies."""
    await _cookie_login(client, "csrf_victim")
    client.cookies.set("starter_csrf", "attacker-chosen-value")
    response = await client.post(REFRESH, headers={"X-CSRF-Token": "attacker-chosen-value"})
    assert_error(response, 403, "FORBIDDEN", CSRF_MESSAGE)


async def test_csrf_token_of_another_session_is_refused(client: httpx.AsyncClient) -> None:
    await register(client, "csrf_other")
    await login(client, username="csrf_other")
    foreign = client.cookies["starter_csrf"]
    client.cookies.clear()
    await _cookie_login(client, "csrf_owner")
    assert foreign != client.cookies["starter_csrf"]
    client.cookies.set("starter_csrf", foreign)
    response = await client.post(REFRESH, headers={"X-CSRF-Token": foreign})
    assert_error(response, 403, "FORBIDDEN", CSRF_MESSAGE)


async def test_csrf_header_alone_is_enough_without_the_cookie(client: httpx.AsyncClient) -> None:
    """The check compares the header with the session, so the cookie is only the SPA's way
    to learn the token."""
    await _cookie_login(client, "csrf_header_only")
    token = client.cookies["starter_csrf"]
    del client.cookies["starter_csrf"]
    response = await client.post(REFRESH, headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text


async def test_a_csrf_header_outside_ascii_is_refused_not_an_error(
    client: httpx.AsyncClient,
) -> None:
    await _cookie_login(client, "csrf_latin")
    response = await client.post(REFRESH, headers={"X-CSRF-Token": "caf\xe9".encode("latin-1")})
    assert_error(response, 403, "FORBIDDEN", CSRF_MESSAGE)
