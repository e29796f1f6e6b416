"""SQL for notes, their shares and versions.

Access is computed in SQL: `permission` is `owner` for the owner, the share's permission for an
active share that has not expired (checked against `now()` on every read, so an expiry needs
no job), `read` for a public note, and NULL for everyone else. Staff roles play no part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from starter.core.db import Connection, Record
from starter.core.query import TOTAL_COLUMN, Counted, Where, fetch_counted, with_total

ACTIVE_SHARE = "s.is_active AND (s.expires_at IS NULL OR s.expires_at > now())"


def _note_fields(permission: str) -> str:
    """NoteResponse's columns, given the SQL expression of the caller's permission."""
    return (
        "n.id, n.title, n.content, n.is_public, n.tags, n.created_at, n.updated_at, "
        f"{permission} = 'owner' AS is_owner, {permission} AS permission, "
        "n.user_id AS owner_id, u.username AS owner_username"
    )


# The notes a caller reaches from their own lists, with their permission: their own, and (when
# $2) those shared with them. Each branch reads the notes table once, by its own index.
ACCESSIBLE = f"""SELECT n.*, 'owner'::text AS permission FROM notes n WHERE n.user_id = $1
    UNION ALL
    SELECT n.*, s.permission FROM note_shares s JOIN notes n ON n.id = s.note_id
    WHERE $2::boolean AND s.user_id = $1 AND {ACTIVE_SHARE}"""
SHARED_ONLY = f"""SELECT n.*, s.permission FROM note_shares s JOIN notes n ON n.id = s.note_id
    WHERE s.user_id = $1 AND {ACTIVE_SHARE}"""
ORDER_COLUMNS = {
    "created_at": "n.created_at",
    "updated_at": "n.updated_at",
    "title": "lower(n.title)",
}
SEARCH_VECTORS = {
    frozenset({"title", "content"}): "n.search_vector",
    frozenset({"title"}): "ts_filter(n.search_vector, '{a}')",
    frozenset({"content"}): "ts_filter(n.search_vector, '{b}')",
}
TITLE_HEADLINE = "HighlightAll=true, StartSel=<mark>, StopSel=</mark>"
CONTENT_HEADLINE = (
    'MaxFragments=3, MaxWords=24, MinWords=8, FragmentDelimiter=" … ", '
    "StartSel=<mark>, StopSel=</mark>"
)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What `GET /notes` and `GET /notes/shared` select, as checked by the service."""

    tags: list[str] | None
    is_public: bool | None
    order_by: str
    descending: bool
    limit: int
    offset: int


async def insert_note(
    conn: Connection, owner_id: UUID, title: str, content: str, is_public: bool, tags: list[str]
) -> Record:
    row = await conn.fetchrow(
        """INSERT INTO notes (user_id, title, content, is_public, tags)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING id, title, content, is_public, tags, created_at, updated_at""",
        owner_id,
        title,
        content,
        is_public,
        tags,
    )
    assert row is not None
    return row


async def find_with_access(
    conn: Connection, note_id: UUID, user_id: UUID, *, lock: bool = False
) -> Record | None:
    """The note with the caller's `permission` (NULL: no access); None when it does not exist.
    With `lock`, the note's row stays locked until the caller's transaction ends."""
    return await conn.fetchrow(
        f"""SELECT {_note_fields("a.permission")} FROM notes n
            JOIN users u ON u.id = n.user_id
            LEFT JOIN note_shares s ON s.note_id = n.id AND s.user_id = $2 AND {ACTIVE_SHARE}
            CROSS JOIN LATERAL (SELECT CASE WHEN n.user_id = $2 THEN 'owner'
                                            WHEN s.permission IS NOT NULL THEN s.permission
                                            WHEN n.is_public THEN 'read' END AS permission) a
            WHERE n.id = $1 {"FOR UPDATE OF n" if lock else ""}""",
        note_id,
        user_id,
    )


async def mark_viewed(conn: Connection, note_id: UUID) -> None:
    await conn.execute("UPDATE notes SET last_viewed_at = now() WHERE id = $1", note_id)


async def update_note(
    conn: Connection,
    note_id: UUID,
    title: str,
    content: str,
    is_public: bool,
    tags: list[str],
) -> datetime:
    """Store the note's new state; returns its `updated_at`."""
    updated_at: datetime = await conn.fetchval(
        """UPDATE notes SET title = $2, content = $3, is_public = $4, tags = $5
           WHERE id = $1 RETURNING updated_at""",
        note_id,
        title,
        content,
        is_public,
        tags,
    )
    return updated_at


async def delete_note(conn: Connection, note_id: UUID) -> None:
    await conn.execute("DELETE FROM notes WHERE id = $1", note_id)


async def list_notes(
    conn: Connection, user_id: UUID, query: ListQuery, *, include_shared: bool, shared_only: bool
) -> Counted[Record]:
    """A page of the notes the caller reaches (own and/or shared), filtered and ordered, and
    how many there are."""
    column = ORDER_COLUMNS[query.order_by]
    direction = "DESC" if query.descending else "ASC"
    accessible = SHARED_ONLY if shared_only else ACCESSIBLE
    where = Where(user_id) if shared_only else Where(user_id, include_shared)
    where.add("n.tags ?| {}::text[]", query.tags)
    where.add("n.is_public = {}", query.is_public)
    return await fetch_counted(
        conn,
        columns=_note_fields("n.permission"),
        source=f"({accessible}) n JOIN users u ON u.id = n.user_id",
        where=where,
        order=f"ORDER BY {column} {direction}, n.id {direction}",
        limit=query.limit,
        offset=query.offset,
    )


async def query_has_words(conn: Connection, text: str) -> bool:
    """Whether `websearch_to_tsquery` keeps anything of `text` (stop words alone give nothing)."""
    nodes: int = await conn.fetchval("SELECT numnode(websearch_to_tsquery('english', $1))", text)
    return nodes > 0


async def search_notes(
    conn: Connection,
    user_id: UUID,
    text: str,
    fields: frozenset[str],
    *,
    include_shared: bool,
    limit: int,
    offset: int,
) -> Counted[Record]:
    """Ranked matches among the caller's notes (and shared ones), best first, and how many
    there are; fragments are computed for the returned page only."""
    vector = SEARCH_VECTORS[fields]
    restrict = "" if vector == "n.search_vector" else f"AND {vector} @@ q.query"
    matches = f"""FROM ({ACCESSIBLE}) n
        CROSS JOIN (SELECT websearch_to_tsquery('english', $3) AS query) q
        WHERE n.search_vector @@ q.query {restrict}"""
    rows = await conn.fetch(
        f"""WITH q AS (SELECT websearch_to_tsquery('english', $3) AS query),
            hits AS (
                SELECT n.id, n.title, n.content, n.tags, n.updated_at,
                       n.permission = 'owner' AS is_owner, n.permission,
                       n.user_id, ts_rank({vector}, q.query) AS score
                FROM ({ACCESSIBLE}) n
                CROSS JOIN q
                WHERE n.search_vector @@ q.query {restrict}
                ORDER BY score DESC, n.updated_at DESC, n.id
                LIMIT $4 OFFSET $5)
            SELECT h.id, h.title,
                   ts_headline('english', h.title, q.query, '{TITLE_HEADLINE}') AS title_highlight,
                   ts_headline('english', h.content, q.query, '{CONTENT_HEADLINE}')
                       AS content_highlight,
                   h.score, h.tags, h.updated_at, h.is_owner, h.permission,
                   u.username AS owner_username,
                   (SELECT count(*) {matches}) AS {TOTAL_COLUMN}
            FROM hits h CROSS JOIN q JOIN users u ON u.id = h.user_id
            ORDER BY h.score DESC, h.updated_at DESC, h.id""",
        user_id,
        include_shared,
        text,
        limit,
        offset,
    )
    count = f"SELECT count(*) {matches}"
    args = [user_id, include_shared, text]
    return await with_total(conn, rows, count, args, limit=limit, offset=offset)


# --- shares ---------------------------------------------------------------------------------


async def find_active_user(
    conn: Connection, user_id: UUID | None, username: str | None
) -> Record | None:
    """An active account by id, or by username in any letter case."""
    return await conn.fetchrow(
        """SELECT id, username FROM users
           WHERE is_active AND (id = $1 OR lower(username) = lower($2))""",
        user_id,
        username,
    )


SHARE_FIELDS = (
    "s.note_id, s.user_id, u.username, s.permission, s.shared_by, s.created_at, s.expires_at"
)


async def upsert_share(
    conn: Connection,
    note_id: UUID,
    user_id: UUID,
    permission: str,
    shared_by: UUID,
    expires_at: datetime | None,
) -> Record:
    """Share the note, or change the existing share (a revoked one starts again)."""
    row = await conn.fetchrow(
        f"""WITH s AS (
                INSERT INTO note_shares AS old (note_id, user_id, permission, shared_by, expires_at)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (note_id, user_id) DO UPDATE
                SET permission = EXCLUDED.permission, shared_by = EXCLUDED.shared_by,
                    expires_at = EXCLUDED.expires_at, is_active = TRUE,
                    created_at = CASE WHEN old.is_active THEN old.created_at ELSE now() END
                RETURNING *)
            SELECT {SHARE_FIELDS} FROM s JOIN users u ON u.id = s.user_id""",
        note_id,
        user_id,
        permission,
        shared_by,
        expires_at,
    )
    assert row is not None
    return row


async def revoke_share(conn: Connection, note_id: UUID, user_id: UUID) -> bool:
    revoked = await conn.fetchval(
        """UPDATE note_shares SET is_active = FALSE
           WHERE note_id = $1 AND user_id = $2 AND is_active RETURNING TRUE""",
        note_id,
        user_id,
    )
    return bool(revoked)


async def list_shares(conn: Connection, note_id: UUID) -> list[Record]:
    """The shares that grant access now, oldest first."""
    return await conn.fetch(
        f"""SELECT {SHARE_FIELDS} FROM note_shares s JOIN users u ON u.id = s.user_id
            WHERE s.note_id = $1 AND {ACTIVE_SHARE} ORDER BY s.created_at, u.username""",
        note_id,
    )


# --- versions -------------------------------------------------------------------------------

VERSION_FIELDS = (
    "v.id, v.note_id, v.content_snapshot->>'title' AS title, "
    "v.content_snapshot->>'content' AS content, v.created_by, "
    "u.username AS created_by_username, v.created_at, v.change_description"
)


async def insert_version(
    conn: Connection,
    note_id: UUID,
    title: str,
    content: str,
    created_by: UUID,
    change_description: str | None,
) -> None:
    await conn.execute(
        """INSERT INTO note_versions (note_id, content_snapshot, created_by, change_description)
           VALUES ($1, $2, $3, $4)""",
        note_id,
        {"title": title, "content": content},
        created_by,
        change_description,
    )


async def list_versions(
    conn: Connection, note_id: UUID, limit: int, offset: int
) -> Counted[Record]:
    """Newest first, and how many versions the note has."""
    where = Where()
    where.add("v.note_id = {}", note_id)
    return await fetch_counted(
        conn,
        columns=VERSION_FIELDS,
        source="note_versions v LEFT JOIN users u ON u.id = v.created_by",
        where=where,
        order="ORDER BY v.created_at DESC, v.id DESC",
        limit=limit,
        offset=offset,
    )


async def find_version(conn: Connection, note_id: UUID, version_id: UUID) -> Record | None:
    return await conn.fetchrow(
        f"""SELECT {VERSION_FIELDS} FROM note_versions v LEFT JOIN users u ON u.id = v.created_by
            WHERE v.id = $1 AND v.note_id = $2""",
        version_id,
        note_id,
    )
