"""schemathesis' auth provider for the contract run (`hooks` in schemathesis.toml): a bearer
token from a logged-in admin.

The run may reset that admin's password, demote, deactivate or delete it, or end its sessions
(it is an admin calling admin operations). On a 401 or 403 schemathesis asks for a token again;
when the admin can no longer log in as an active admin, a new one is registered and promoted.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from typing import Any

import asyncpg
import httpx
import schemathesis

PASSWORD = "Contract-Admin-Pass-2024!"
_lock = threading.Lock()
_admin: dict[str, str] = {}


def _base() -> str:
    return os.environ["STARTER_CONTRACT_BASE_URL"]


async def _promote(user_id: str) -> None:
    conn = await asyncpg.connect(os.environ["STARTER_CONTRACT_DATABASE_URL"])
    try:
        await conn.execute("UPDATE users SET role = 'admin' WHERE id = $1", uuid.UUID(user_id))
    finally:
        await conn.close()


def _new_admin(http: httpx.Client) -> str:
    name = f"contract_admin_{uuid.uuid4().hex[:8]}"
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    registered = http.post("/auth/register", json=body)
    registered.raise_for_status()
    asyncio.run(_promote(registered.json()["data"]["id"]))
    return name


def _admin_token(http: httpx.Client, username: str) -> str | None:
    login = http.post("/auth/login", json={"username": username, "password": PASSWORD})
    if login.status_code != 200:
        return None
    data: dict[str, Any] = login.json()["data"]
    return str(data["session_token"]) if data["user"]["role"] == "admin" else None


@schemathesis.auth(retry_on=[401, 403])
class AdminToken:
    def get(self, case: Any, context: Any) -> str:
        with _lock, httpx.Client(base_url=_base(), timeout=10) as http:
            token = _admin_token(http, _admin["username"]) if _admin else None
            if token is None:
                _admin["username"] = _new_admin(http)
                token = _admin_token(http, _admin["username"])
            assert token is not None, "a freshly promoted admin could not log in"
            return token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
