"""Account emails as the API queues them: the `email` tasks, and the link inside."""

from __future__ import annotations

import re
from typing import Any

import asyncpg

LINK_RE = re.compile(r"(https?://\S+?)\?token=([A-Za-z0-9_-]+)")


async def mails_to(db: asyncpg.Connection, address: str) -> list[dict[str, Any]]:
    """Payloads of the `email` tasks queued for `address`, oldest first."""
    rows = await db.fetch(
        """SELECT payload FROM tasks WHERE task_type = 'email' AND payload->'to' ? $1
           ORDER BY created_at, id""",
        address,
    )
    return [dict(row["payload"]) for row in rows]


async def last_token(db: asyncpg.Connection, address: str, path: str) -> str:
    """The token of the newest link to `path` mailed to `address`."""
    mails = await mails_to(db, address)
    assert mails, f"no email to {address}"
    found = LINK_RE.search(mails[-1]["body"])
    assert found is not None, mails[-1]["body"]
    assert found.group(1).endswith(path), found.group(1)
    return found.group(2)
