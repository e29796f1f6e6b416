"""Sessions a user controls: the list, ending one, password change ending the others, and an
admin's view of a user's sessions."""

from __future__ import annotations

import uuid

import httpx

from tests.auth.conftest import bearer, login
from tests.support.errors import assert_error
from tests.support.users import PASSWORD, AppUser

SESSIONS = "/api/v1/auth/sessions"
ME = "/api/v1/auth/me"
NEW_PASSWORD = "Brand-New-Pass-42!"


async def _second_session(client: httpx.AsyncClient, user: AppUser, agent: str) -> str:
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": user.username, "password": PASSWORD, "user_agent": agent},
    )
    client.cookies.clear()
    token: str = response.json()["data"]["session_token"]
    return token


async def test_the_list_shows_each_live_session_and_marks_the_current_one(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    other = await _second_session(client, user, "Firefox/128 on Linux")
    response = await client.get(SESSIONS, headers=user.headers)
    assert response.status_code == 200
    sessions = response.json()["data"]
    assert len(sessions) == 2
    assert set(sessions[0]) == {
        "id",
        "created_at",
        "last_activity_at",
        "expires_at",
        "user_agent",
        "ip_address",
        "current",
    }
    assert [s["current"] for s in sessions].count(True) == 1
    firefox = next(s for s in sessions if s["user_agent"] == "Firefox/128 on Linux")
    assert firefox["current"] is False
    assert firefox["ip_address"] == "127.0.0.1"
    mine = (await client.get(SESSIONS, headers=bearer(other))).json()["data"]
    assert next(s for s in mine if s["current"])["id"] == firefox["id"]


async def test_ending_a_session_signs_it_out_and_only_it(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    other = await _second_session(client, user, "Phone")
    listed = (await client.get(SESSIONS, headers=user.headers)).json()["data"]
    target = next(s["id"] for s in listed if not s["current"])
    response = await client.delete(f"{SESSIONS}/{target}", headers=user.headers)
    assert response.json() == {"success": True, "data": "Session ended", "message": None}
    assert_error(await client.get(ME, headers=bearer(other)), 401, "UNAUTHORIZED")
    assert (await client.get(ME, headers=user.headers)).status_code == 200
    assert_error(
        await client.delete(f"{SESSIONS}/{target}", headers=user.headers), 404, "NOT_FOUND"
    )


async def test_someone_elses_session_is_not_found(
    client: httpx.AsyncClient, user: AppUser, make_user
) -> None:  # type: ignore[no-untyped-def]
    stranger = await make_user("user")
    theirs = (await client.get(SESSIONS, headers=stranger.headers)).json()["data"][0]["id"]
    assert_error(
        await client.delete(f"{SESSIONS}/{theirs}", headers=user.headers),
        404,
        "NOT_FOUND",
        "Session not found",
    )
    assert_error(
        await client.delete(f"{SESSIONS}/{uuid.uuid4()}", headers=user.headers), 404, "NOT_FOUND"
    )
    assert_error(
        await client.delete(f"{SESSIONS}/nope", headers=user.headers), 400, "VALIDATION_FAILED"
    )
    assert (await client.get(ME, headers=stranger.headers)).status_code == 200


async def test_ending_the_current_session_clears_the_cookies(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    current = (await client.get(SESSIONS, headers=user.headers)).json()["data"][0]["id"]
    response = await client.delete(f"{SESSIONS}/{current}", headers=user.headers)
    assert response.status_code == 200
    cleared = response.headers.get_list("set-cookie")
    assert any(c.startswith("starter_session=") for c in cleared)
    assert_error(await client.get(ME, headers=user.headers), 401, "UNAUTHORIZED")


async def test_sessions_need_a_signed_in_caller(client: httpx.AsyncClient) -> None:
    assert_error(await client.get(SESSIONS), 401, "UNAUTHORIZED")
    assert_error(await client.delete(f"{SESSIONS}/{uuid.uuid4()}"), 401, "UNAUTHORIZED")


async def test_logout_all_still_ends_every_session(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    other = await _second_session(client, user, "Tablet")
    await client.post("/api/v1/auth/logout-all", headers=user.headers)
    for token in (user.token, other):
        assert_error(await client.get(ME, headers=bearer(token)), 401, "UNAUTHORIZED")


async def test_changing_the_password_ends_every_other_session_and_says_so(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    others = [await _second_session(client, user, f"Device {i}") for i in range(2)]
    response = await client.put(
        "/api/v1/users/me/password",
        headers=user.headers,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "success": True,
        "data": "Password updated successfully",
        "message": "Password has been changed. Signed out 2 other session(s).",
    }
    for token in others:
        assert_error(await client.get(ME, headers=bearer(token)), 401, "UNAUTHORIZED")
    assert (await client.get(ME, headers=user.headers)).status_code == 200
    assert (await login(client, username=user.username, password=NEW_PASSWORD)).status_code == 200


async def test_an_admin_sees_and_ends_a_users_sessions(
    client: httpx.AsyncClient, user: AppUser, admin: AppUser
) -> None:
    listed = await client.get(f"/api/v1/users/{user.id}/sessions", headers=admin.headers)
    assert listed.status_code == 200
    sessions = listed.json()["data"]
    assert len(sessions) == 1 and sessions[0]["current"] is False
    ended = await client.delete(
        f"/api/v1/users/{user.id}/sessions/{sessions[0]['id']}", headers=admin.headers
    )
    assert ended.json()["data"] == "Session ended"
    assert_error(await client.get(ME, headers=user.headers), 401, "UNAUTHORIZED")
    assert (await client.get(f"/api/v1/users/{user.id}/sessions", headers=admin.headers)).json()[
        "data"
    ] == []


async def test_only_admins_see_other_users_sessions(
    client: httpx.AsyncClient, user: AppUser, moderator: AppUser, admin: AppUser
) -> None:
    path = f"/api/v1/users/{admin.id}/sessions"
    assert_error(await client.get(path, headers=user.headers), 403, "FORBIDDEN")
    assert_error(await client.get(path, headers=moderator.headers), 403, "FORBIDDEN")
    missing = f"/api/v1/users/{uuid.uuid4()}/sessions"
    assert_error(
        await client.get(missing, headers=admin.headers), 404, "NOT_FOUND", "User not found"
    )
    own = (await client.get(SESSIONS, headers=user.headers)).json()["data"][0]["id"]
    assert_error(
        await client.delete(f"/api/v1/users/{admin.id}/sessions/{own}", headers=admin.headers),
        404,
        "NOT_FOUND",
        "Session not found",
    )
