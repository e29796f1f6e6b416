"""Accounts arranged directly in the database, each with a live session."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from starter.auth import passwords
from starter.auth import repository as auth_repository
from starter.core.security import digest, new_session_token

PASSWORD = "SecurePass123!"
# What the API shows of an account, wherever it shows one.
PROFILE_KEYS = {
    "id",
    "username",
    "email",
    "role",
    "is_active",
    "email_verified",
    "created_at",
    "last_login_at",
}


@dataclass
class AppUser:
    id: str
    username: str
    email: str
    role: str
    token: str
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


MakeUser = Callable[..., Awaitable[AppUser]]


async def hash_test_password() -> str:
    """The Argon2id hash of PASSWORD (about 40 ms of CPU: compute it once and share it)."""
    return await passwords.hash_password(PASSWORD)


async def insert_user(
    db: asyncpg.Connection,
    password_hash: str,
    session_hours: float,
    role: str = "user",
    username: str | None = None,
) -> AppUser:
    """An active account that has signed in once, arranged by the auth repository
    (registration and login have their own tests)."""
    name = username or f"{role}_{uuid.uuid4().hex[:8]}"
    email = f"{name}@example.com"
    row = await auth_repository.insert_user(db, name, email, password_hash, role)
    token = new_session_token()
    expires_at = datetime.now(UTC) + timedelta(hours=session_hours)
    await auth_repository.insert_session(db, row["id"], digest(token), expires_at, None)
    await auth_repository.touch_last_login(db, row["id"])
    return AppUser(str(row["id"]), name, email, role, token)
