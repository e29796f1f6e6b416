"""SQL for API key management (authentication by key lives in starter.auth)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from starter.core.db import Connection, Record

API_KEY_COLUMNS = (
    "id, name, description, key_prefix, permissions, expires_at, is_active, "
    "created_at, last_used_at, usage_count"
)


async def insert_api_key(
    conn: Connection,
    owner_id: UUID,
    name: str,
    description: str | None,
    key_hash: str,
    key_prefix: str,
    expires_at: datetime | None,
    permissions: list[str],
) -> Record:
    row = await conn.fetchrow(
        f"""INSERT INTO api_keys
                (created_by, name, description, key_hash, key_prefix, expires_at, permissions)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {API_KEY_COLUMNS}""",
        owner_id,
        name,
        description,
        key_hash,
        key_prefix,
        expires_at,
        permissions,
    )
    assert row is not None
    return row


async def list_api_keys(conn: Connection, owner_id: UUID) -> list[Record]:
    return await conn.fetch(
        f"""SELECT {API_KEY_COLUMNS} FROM api_keys
            WHERE created_by = $1 ORDER BY created_at DESC, id""",
        owner_id,
    )


async def deactivate_api_key(conn: Connection, key_id: UUID, owner_id: UUID) -> Record | None:
    """Revoke one of the owner's keys; None when it is not theirs (or does not exist)."""
    return await conn.fetchrow(
        f"""UPDATE api_keys SET is_active = FALSE
            WHERE id = $1 AND created_by = $2 RETURNING {API_KEY_COLUMNS}""",
        key_id,
        owner_id,
    )
