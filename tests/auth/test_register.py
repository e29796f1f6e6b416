"""POST /auth/register: shape, validation messages and order, conflicts, framework errors."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx
import pytest

from starter.core.input_limits import NUL_DETAIL
from tests.auth.conftest import register
from tests.support.errors import assert_error
from tests.support.users import PROFILE_KEYS

URL = "/api/v1/auth/register"
USERNAME_LENGTH = "Validation failed for username: Username must be between 3 and 50 characters"
USERNAME_CHARS = (
    "Validation failed for username: "
    "Username can only contain letters, numbers, underscores, and hyphens"
)
BAD_EMAIL = "Validation failed for email: Invalid email format"
PW_SHORT = "Validation failed for password: Password must be at least 8 characters long"
PW_LONG = "Validation failed for password: Password must be less than 128 characters"
PW_CLASSES = (
    "Validation failed for password: Password must contain at least 3 of: "
    "uppercase letters, lowercase letters, numbers, special characters"
)
PW_COMMON = (
    "Validation failed for password: Password is too common. Please choose a stronger password"
)


async def expect_rejections(
    client: httpx.AsyncClient, cases: list[tuple[dict[str, str], str]]
) -> None:
    """Register each body; collect every case whose 400 message differs (one DB per table)."""
    wrong = []
    for payload, message in cases:
        response = await client.post(URL, json=payload)
        got = (response.status_code, response.json().get("error", {}).get("message"))
        if got != (400, message):
            wrong.append((payload, got))
    assert not wrong, wrong


async def expect_accepted(client: httpx.AsyncClient, payloads: list[dict[str, str]]) -> None:
    wrong = []
    for payload in payloads:
        response = await client.post(URL, json=payload)
        if response.status_code != 200:
            wrong.append((payload, response.text))
    assert not wrong, wrong


def body(
    username: str = "tester", email: str = "t@example.com", password: str = "ValidPass123!"
) -> dict[str, str]:
    return {"username": username, "email": email, "password": password}


async def test_register_returns_the_profile(client: httpx.AsyncClient) -> None:
    response = await register(client, "alice")
    assert response.status_code == 200
    assert response.text.startswith('{"success":true,"data":{')
    body = response.json()
    assert body["message"] is None
    data = body["data"]
    assert set(data) == PROFILE_KEYS
    UUID(data["id"])
    assert data["username"] == "alice"
    assert data["email"] == "alice@example.com"
    assert data["role"] == "user"
    assert data["is_active"] is True
    assert data["email_verified"] is False
    assert data["last_login_at"] is None
    assert data["created_at"].endswith("Z")


async def test_register_stores_an_argon2id_hash_and_creates_no_session(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    response = await register(client, "hashcheck")
    user_id = UUID(response.json()["data"]["id"])
    stored = await db.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await db.fetchval("SELECT count(*) FROM sessions") == 0


async def test_register_ignores_role_and_extra_fields(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    response = await register(
        client,
        "sneaky",
        role="admin",
        is_active=False,
        extra_field="ignored",
        nested_extra={"field": "value"},
        __proto__={"admin": True},
    )
    assert response.status_code == 200
    assert response.json()["data"]["role"] == "user"
    assert await db.fetchval("SELECT role FROM users WHERE username = 'sneaky'") == "user"


@pytest.mark.parametrize(
    ("username", "email", "password", "message"),
    [
        ("ab", "bad", "weak", USERNAME_LENGTH),
        ("good_name", "bad", "weak", BAD_EMAIL),
        ("good_name", "good@example.com", "weak", PW_SHORT),
    ],
)
async def test_validation_order_is_username_email_password(
    client: httpx.AsyncClient, username: str, email: str, password: str, message: str
) -> None:
    response = await client.post(
        URL, json={"username": username, "email": email, "password": password}
    )
    assert_error(response, 400, "VALIDATION_FAILED", message)


NUL_IN_USERNAME = "Validation failed for username: " + NUL_DETAIL
INVALID_USERNAMES = [
    ("ab", USERNAME_LENGTH),
    ("", USERNAME_LENGTH),
    ("a" * 51, USERNAME_LENGTH),
    ("é" * 25 + "a", USERNAME_LENGTH),  # 26 characters but 51 bytes
    ("a b", USERNAME_CHARS),
    ("user@name", USERNAME_CHARS),
    ("user.name", USERNAME_CHARS),
    ("test\u0000user", NUL_IN_USERNAME),  # refused where the body is parsed (docs/limits.md)
    ("emoji😀", USERNAME_CHARS),
    ("drop'table", USERNAME_CHARS),
]


async def test_invalid_usernames(client: httpx.AsyncClient) -> None:
    await expect_rejections(client, [(body(name), msg) for name, msg in INVALID_USERNAMES])


async def test_null_byte_username_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, json=body("test\u0000user", "test\ufeff@example.com", "Pass\u200bword123!")
    )
    assert_error(response, 400, "VALIDATION_FAILED", NUL_IN_USERNAME)


async def test_valid_usernames_by_byte_length_and_unicode_class(
    client: httpx.AsyncClient,
) -> None:
    names = ["abc", "a" * 50, "é" * 25, "éa", "日本", "user_name-1", "___", "Ünïcödé", "١٢٣abc"]
    await expect_accepted(
        client, [body(name, f"valid{i}@example.com") for i, name in enumerate(names)]
    )


INVALID_EMAILS = [
    "plainaddress",
    "@example.com",
    "user@",
    "user@@example.com",
    "us@er@example.com",
    "user name@example.com",
    "user@exam ple.com",
    " user@example.com",
    "user@example.com ",
    "user..name@example.com",
    ".user@example.com",
    "user.@example.com",
    "user@.example.com",
    "user@example.com.",
    "user@example.com..",
    "user@-example.com",
    "user@example-.com",
    "user@example.com-",
    "user@example..com",
    "a" * 65 + "@example.com",
    "user@" + "a" * 250 + ".com",
    "user@example.c",
    "user@[127.0.0.1]",
    "user@127.0.0.1",
    "user@example",
    "user@example.c0m",
    "user!name@example.com",
    "user@exa_mple.com",
    "a@",
]


async def test_the_29_invalid_email_forms(client: httpx.AsyncClient) -> None:
    assert len(INVALID_EMAILS) == 29
    await expect_rejections(client, [(body(email=email), BAD_EMAIL) for email in INVALID_EMAILS])


async def test_more_invalid_emails(client: httpx.AsyncClient) -> None:
    emails = ["test🚀@example.com", "a" * 300 + "@example.com", "", "ab", "a@b"]
    await expect_rejections(client, [(body(email=email), BAD_EMAIL) for email in emails])


async def test_valid_emails(client: httpx.AsyncClient) -> None:
    emails = [
        "first.last+tag@sub.example.co.uk",
        "a@b.cd",
        "USER_name-1@Example.COM",
        "müller@exämple.de",
        "a" * 64 + "@example.com",
    ]
    await expect_accepted(client, [body(f"mail{i}", email) for i, email in enumerate(emails)])


PASSWORD_CASES = [
    ("Short1!", PW_SHORT),
    ("Aé1!ab", PW_SHORT),  # 6 characters, 7 bytes
    ("Aa1!" * 32 + "x", PW_LONG),  # 129 bytes
    ("é" * 60 + "Ab1!abcd" + "x", PW_LONG),  # 69 characters, 129 bytes
    ("alllowercase", PW_CLASSES),
    ("PASSWORD", PW_CLASSES),
    ("password1", PW_CLASSES),
    ("abcDEF~`/\\ '\"", PW_CLASSES),  # these symbols do not count as special
    ("\u0000password123\u0000", "Validation failed for password: " + NUL_DETAIL),
    ("password123\r\n", PW_CLASSES),
    ("password123\t", PW_CLASSES),
    (" password123 ", PW_CLASSES),
    ("password\u200b123", PW_CLASSES),
    ("p\u00adassword123", PW_CLASSES),
    ("password123\ufeff", PW_CLASSES),
]
COMMON_CASES = [
    "Password123",
    "pAsSwOrD123",
    "Admin123",
    "Welcome123",
    "Password123!",
    "Admin123!",
    "Qwerty123!",
    "Welcome123!",
    "Password1!",
]


async def test_password_length_and_class_rules(client: httpx.AsyncClient) -> None:
    await expect_rejections(client, [(body(password=pw), msg) for pw, msg in PASSWORD_CASES])


async def test_common_passwords_in_any_case(client: httpx.AsyncClient) -> None:
    await expect_rejections(client, [(body(password=pw), PW_COMMON) for pw in COMMON_CASES])


async def test_strong_passwords_accepted(client: httpx.AsyncClient) -> None:
    passwords = [
        "MyVerySecurePassword123!",
        "AnotherStrongP@ssw0rd",
        "Complex&Secure#2024!",
        "UnbreakableP4$$w0rd!",
        "Aé1!abc",  # 7 characters, 8 bytes
        "Aa1!" * 32,  # exactly 128 bytes
        "é" * 60 + "Ab1!abcd",  # 128 bytes
        "ÄÖÜäöü12",  # Unicode upper/lower + digits
        "Пароль12",
        "lower٣٤!!",  # Arabic-Indic digits are numeric
    ]
    await expect_accepted(
        client, [body(f"strong{i}", f"strong{i}@example.com", pw) for i, pw in enumerate(passwords)]
    )


async def test_duplicate_username_and_email(client: httpx.AsyncClient) -> None:
    assert (await register(client, "taken", "taken@example.com")).status_code == 200
    assert_error(
        await register(client, "taken", "other@example.com"),
        409,
        "USERNAME_ALREADY_EXISTS",
        "Username already exists",
    )
    assert_error(
        await register(client, "other", "taken@example.com"),
        409,
        "EMAIL_ALREADY_EXISTS",
        "Email already exists",
    )


async def test_inactive_users_still_occupy_names(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    assert (await register(client, "ghost", "ghost@example.com")).status_code == 200
    await db.execute("UPDATE users SET is_active = FALSE WHERE username = 'ghost'")
    assert_error(await register(client, "ghost", "new@example.com"), 409, "USERNAME_ALREADY_EXISTS")
    assert_error(
        await register(client, "newname", "ghost@example.com"), 409, "EMAIL_ALREADY_EXISTS"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"username": 123, "email": "t@example.com", "password": "ValidPass123!"},
        {"username": "tester", "email": True, "password": "ValidPass123!"},
        {"username": "tester", "email": "t@example.com", "password": 12345678},
        {"user": {"username": "tester", "email": "t@example.com", "password": "ValidPass123!"}},
        {"username": "tester", "email": "t@example.com"},
        {"username": None, "email": "t@example.com", "password": "ValidPass123!"},
        ["tester", "t@example.com", "ValidPass123!"],
    ],
)
async def test_wrong_shapes_are_422(client: httpx.AsyncClient, body: object) -> None:
    assert_error(await client.post(URL, json=body), 422, "VALIDATION_FAILED")


async def test_deeply_nested_object_is_422(client: httpx.AsyncClient) -> None:
    nested: object = "value"
    for _ in range(50):
        nested = {"nested": nested}
    assert_error(await client.post(URL, json=nested), 422, "VALIDATION_FAILED")


async def test_missing_or_wrong_content_type_is_415(client: httpx.AsyncClient) -> None:
    payload = b'{"username":"tester","email":"t@example.com","password":"ValidPass123!"}'
    message = "Expected request with `Content-Type: application/json`"
    assert_error(await client.post(URL, content=payload), 415, "UNSUPPORTED_MEDIA_TYPE", message)
    response = await client.post(URL, content=payload, headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", message)


@pytest.mark.parametrize("payload", [b'{"username": "x",', b"", b"NaN", b"{'a': 1}"])
async def test_malformed_json_is_400(client: httpx.AsyncClient, payload: bytes) -> None:
    response = await client.post(URL, content=payload, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "INVALID_JSON")


async def test_json_content_type_variants_are_accepted(client: httpx.AsyncClient) -> None:
    payload = b'{"username":"tester","email":"t@example.com","password":"ValidPass123!"}'
    response = await client.post(
        URL, content=payload, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 200, response.text
