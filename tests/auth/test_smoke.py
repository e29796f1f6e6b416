from tests.conftest import PASSWORD, AppUser, assert_error


async def test_register_login_me(client, user: AppUser) -> None:
    response = await client.get("/api/v1/auth/me", headers=user.headers)
    assert response.status_code == 200
    assert response.json()["data"]["username"] == user.username
    assert response.text.startswith('{"success":true,"data":')


async def test_unknown_route(client) -> None:
    assert_error(await client.get("/api/v1/nope"), 404, "NOT_FOUND")


async def test_bad_login(client, user: AppUser) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD + "x"}
    )
    assert_error(response, 401, "INVALID_CREDENTIALS", "Invalid credentials")
