"""Every endpoint of the API core × {anonymous, user, other user, moderator, admin}.

One table, one parametrized test. `user` owns the target resources (the `{id}` user and the
`{key_id}` API key); `other_user` is another plain user. Each cell gets its own fresh caller
and target, so a cell's side effects (logout, self-delete, revocation) never leak into the next.
Bodies are valid, so the status reflects authorization only (docs/roles.md).

A second table crosses staff callers with the role of the account they act on: moderators
manage `user` accounts only (docs/roles.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.users import PASSWORD, AppUser, MakeUser

ROLES = ("anonymous", "user", "other_user", "moderator", "admin")
NEW_PASSWORD = "N3w!Passw0rd#42"

PUBLIC = (200, 200, 200, 200, 200)
AUTHENTICATED = (401, 200, 200, 200, 200)
MODERATOR = (401, 403, 403, 200, 200)
ADMIN = (401, 403, 403, 403, 200)
OWNER_OR_STAFF = (401, 200, 404, 200, 200)
OWNER_ONLY = (401, 200, 404, 404, 404)
# Public, and the body's token (here an unknown one) decides: no role changes the answer.
TOKEN_DECIDES = (400, 400, 400, 400, 400)
# Signed in, and no session of the caller has that id (the path's id is a user's).
OWN_SESSION = (401, 404, 404, 404, 404)
ADMIN_TARGET_MISSING = (401, 403, 403, 403, 404)

FORBIDDEN_MESSAGES = {
    MODERATOR: "Access denied: moderator role or higher required",
    ADMIN: "Admin access required",
}
ERROR_CODES = {400: "INVALID_TOKEN", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}
UNKNOWN_TOKEN = "x" * 43


@dataclass
class Cell:
    target: AppUser
    caller: AppUser | None
    key_id: str | None = None


Body = Callable[[Cell], Any]


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _new_account(_cell: Cell) -> dict[str, str]:
    name = _unique("new")
    return {"username": name, "email": f"{name}@example.com", "password": PASSWORD}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: tuple[int, int, int, int, int]
    body: Body | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


MATRIX: list[Row] = [
    # --- auth
    Row("POST", "/auth/register", PUBLIC, _new_account),
    Row(
        "POST",
        "/auth/login",
        PUBLIC,
        lambda c: {"username": c.target.username, "password": PASSWORD},
    ),
    Row("POST", "/auth/logout", AUTHENTICATED),
    Row("POST", "/auth/logout-all", AUTHENTICATED),
    Row("GET", "/auth/me", AUTHENTICATED),
    Row("POST", "/auth/refresh", AUTHENTICATED),
    # --- account lifecycle (docs/accounts.md)
    Row("POST", "/auth/forgot-password", PUBLIC, lambda c: {"email": c.target.email}),
    Row(
        "POST",
        "/auth/reset-password",
        TOKEN_DECIDES,
        lambda c: {"token": UNKNOWN_TOKEN, "new_password": NEW_PASSWORD},
    ),
    Row("POST", "/auth/verify-email", TOKEN_DECIDES, lambda c: {"token": UNKNOWN_TOKEN}),
    Row("POST", "/auth/resend-verification", AUTHENTICATED),
    Row("GET", "/auth/sessions", AUTHENTICATED),
    Row("DELETE", "/auth/sessions/{id}", OWN_SESSION),
    Row("GET", "/users/{id}/sessions", ADMIN),
    Row("DELETE", "/users/{id}/sessions/{session_id}", ADMIN_TARGET_MISSING),
    # --- own account (GET /users/me is the profile, like /users/me/profile)
    Row("GET", "/users/me", AUTHENTICATED),
    Row("GET", "/users/me/profile", AUTHENTICATED),
    Row("PUT", "/users/me/profile", AUTHENTICATED, lambda c: {}),
    Row(
        "PUT",
        "/users/me/password",
        AUTHENTICATED,
        lambda c: {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    ),
    Row(
        "DELETE",
        "/users/me",
        AUTHENTICATED,
        lambda c: {"password": PASSWORD, "confirmation": "DELETE"},
    ),
    # --- other users (staff reads, moderation, administration; ownership 404)
    Row("GET", "/users/{id}", OWNER_OR_STAFF),
    Row("GET", "/users", MODERATOR),
    Row("PUT", "/users/{id}/status", MODERATOR, lambda c: {"is_active": True}),
    Row("POST", "/users/bulk", MODERATOR, lambda c: {"action": "activate", "ids": [c.target.id]}),
    Row("POST", "/users/{id}/reset-password", MODERATOR, lambda c: {"new_password": NEW_PASSWORD}),
    Row("POST", "/users", ADMIN, _new_account),
    Row("PUT", "/users/{id}/profile", ADMIN, lambda c: {"email_verified": True}),
    Row("PUT", "/users/{id}/role", ADMIN, lambda c: {"role": "moderator"}),
    Row("DELETE", "/users/{id}", ADMIN, lambda c: {}),
    Row("GET", "/admin/users/stats", ADMIN),
    # --- API keys (one's own keys only)
    Row("POST", "/api-keys", AUTHENTICATED, lambda c: {"name": "matrix-key"}),
    Row("GET", "/api-keys", AUTHENTICATED),
    Row("DELETE", "/api-keys/{key_id}", OWNER_ONLY),
    # --- health
    Row("GET", "/health", PUBLIC),
    Row("GET", "/health/detailed", PUBLIC),
    Row("GET", "/health/live", PUBLIC),
    Row("GET", "/health/ready", PUBLIC),
    Row("GET", "/health/startup", PUBLIC),
    Row("GET", "/admin/health", ADMIN),
]


async def _api_key_of(client: httpx.AsyncClient, owner: AppUser) -> str:
    response = await client.post("/api/v1/api-keys", json={"name": "owned"}, headers=owner.headers)
    assert response.status_code == 200, response.text
    key_id: str = response.json()["data"]["id"]
    return key_id


async def _cell(client: httpx.AsyncClient, make_user: MakeUser, row: Row, role: str) -> Cell:
    caller = None
    if role != "anonymous":
        caller = await make_user("user" if role in ("user", "other_user") else role)
    needs_target = "{" in row.path or row.body is not None
    if role == "user" or not needs_target:
        target = caller or await make_user("user")
    else:
        target = await make_user("user")
    key_id = await _api_key_of(client, target) if "{key_id}" in row.path else None
    return Cell(target, caller, key_id)


def _mismatch(row: Row, role: str, expected: int, response: httpx.Response) -> str | None:
    where = f"{role:<10} {row.id}: expected {expected}, got {response.status_code}"
    if response.status_code != expected:
        return f"{where} {response.text[:160]}"
    body = response.json()
    if expected == 200:
        return None if body.get("success") is True else f"{where} but no success envelope"
    error = body.get("error", {})
    if error.get("code") != ERROR_CODES[expected]:
        return f"{where} with code {error.get('code')} (expected {ERROR_CODES[expected]})"
    message = FORBIDDEN_MESSAGES.get(row.expected) if expected == 403 else None
    if message is not None and error.get("message") != message:
        return f"{where} with message {error.get('message')!r} (expected {message!r})"
    return None


@pytest.mark.parametrize("row", MATRIX, ids=[row.id for row in MATRIX])
async def test_authorization_matrix(
    client: httpx.AsyncClient, make_user: MakeUser, row: Row
) -> None:
    problems: list[str] = []
    await make_user("admin")  # a spare admin: the last-admin rule (409) never masks a cell
    for role, expected in zip(ROLES, row.expected, strict=True):
        cell = await _cell(client, make_user, row, role)
        client.cookies.clear()  # only the bearer token (or nothing) identifies the caller
        path = "/api/v1" + row.path.format(
            id=cell.target.id, key_id=cell.key_id, session_id=uuid.uuid4()
        )
        response = await client.request(
            row.method,
            path,
            json=row.body(cell) if row.body is not None else None,
            headers=cell.caller.headers if cell.caller else {},
        )
        client.cookies.clear()
        problem = _mismatch(row, role, expected, response)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


def test_matrix_covers_every_core_operation() -> None:
    """Every auth/users/api-keys/health/admin operation of the app has a row."""
    from starter.app import create_app
    from starter.docs import build_openapi
    from tests.support.settings import make_settings

    document = build_openapi(create_app(make_settings("postgresql://unused@127.0.0.1:1/x")))
    core_areas = {"auth", "users", "api-keys", "health", "admin"}
    operations = {
        f"{method.upper()} {path.replace('{id}', '{key_id}') if path.startswith('/api-keys') else path}"
        for path, item in document["paths"].items()
        for method in item
        if path.strip("/").split("/")[0] in core_areas
    }
    assert operations == {row.id for row in MATRIX}


# --- staff acting on accounts of each role ------------------------------------------------------

TARGET_ROLES = ("user", "moderator", "admin")
STAFF_ACCOUNT = "Admin access required to manage a moderator or admin account"
ADMIN_GATE = "Admin access required"


@dataclass(frozen=True)
class StaffRow:
    method: str
    path: str
    # status for a target whose role is user, moderator, admin
    by_moderator: tuple[int, int, int]
    by_admin: tuple[int, int, int]
    body: Any = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


EVERY = (200, 200, 200)
USERS_ONLY = (200, 403, 403)
NOBODY = (403, 403, 403)

STAFF_MATRIX = [
    StaffRow("GET", "/users/{id}", EVERY, EVERY),
    StaffRow("PUT", "/users/{id}/status", USERS_ONLY, EVERY, {"is_active": False}),
    StaffRow("PUT", "/users/{id}/status", USERS_ONLY, EVERY, {"is_active": True}),
    StaffRow(
        "POST", "/users/{id}/reset-password", USERS_ONLY, EVERY, {"new_password": NEW_PASSWORD}
    ),
    StaffRow("PUT", "/users/{id}/profile", NOBODY, EVERY, {"email_verified": True}),
    StaffRow("PUT", "/users/{id}/role", NOBODY, EVERY, {"role": "moderator"}),
    StaffRow("PUT", "/users/{id}/role", NOBODY, EVERY, {"role": "admin"}),
    StaffRow("DELETE", "/users/{id}", NOBODY, EVERY, {}),
    StaffRow("DELETE", "/users/{id}", NOBODY, EVERY, {"hard_delete": True}),
]


@pytest.mark.parametrize("row", STAFF_MATRIX, ids=[f"{row.id} {row.body}" for row in STAFF_MATRIX])
async def test_staff_acting_on_each_role(
    client: httpx.AsyncClient, make_user: MakeUser, row: StaffRow
) -> None:
    problems: list[str] = []
    for caller_role, expected_row in (("moderator", row.by_moderator), ("admin", row.by_admin)):
        for target_role, expected in zip(TARGET_ROLES, expected_row, strict=True):
            caller, target = await make_user(caller_role), await make_user(target_role)
            response = await client.request(
                row.method,
                "/api/v1" + row.path.format(id=target.id),
                json=row.body,
                headers=caller.headers,
            )
            where = f"{caller_role} on {target_role}: expected {expected}"
            if response.status_code != expected:
                problems.append(f"{where}, got {response.status_code} {response.text[:160]}")
            elif expected == 403:
                message = STAFF_ACCOUNT if expected_row == USERS_ONLY else ADMIN_GATE
                if response.json()["error"] != {"code": "FORBIDDEN", "message": message}:
                    problems.append(f"{where} {message!r}, got {response.text[:160]}")
    assert not problems, "\n".join(problems)
