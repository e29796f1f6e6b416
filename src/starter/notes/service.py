"""Note rules: who may read, edit, share and restore, and what each change keeps.

Access comes from ownership, an active unexpired share, or a public note (read only). Roles
give none: moderators and admins are strangers to a private note (docs/notes.md). A caller
who cannot read a note gets 404; one who can read it but not do this gets 403.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record, atomic
from starter.core.errors import Forbidden, NotFound, ValidationFailed
from starter.core.query import Counted
from starter.notes import repository
from starter.notes.repository import ListQuery
from starter.notes.schemas import (
    CHANGE_DESCRIPTION_MAX_CHARS,
    CONTENT_MAX_CHARS,
    TAG_MAX_CHARS,
    TAGS_MAX,
    TITLE_MAX_CHARS,
    CreateNoteRequest,
    NoteResponse,
    ShareNoteRequest,
    ShareResponse,
)

log = structlog.get_logger(__name__)

NOT_FOUND = "Note not found"
VERSION_NOT_FOUND = "Version not found"
SHARE_NOT_FOUND = "Share not found"
OWNER_ONLY = "Only the note's owner can do this"
WRITE_NEEDED = "You have read-only access to this note"
SEARCH_FIELDS = frozenset({"title", "content"})
QUERY_MAX_CHARS = 500
MARK = re.compile(r"(</?mark>)")


# --- values -------------------------------------------------------------------------------


# A limit counts the characters as sent (the `maxLength` the API document publishes); the
# blanks around a title or tag are then trimmed, and one of only blanks is empty.
def _title(value: str) -> str:
    if len(value) > TITLE_MAX_CHARS:
        raise ValidationFailed("title", f"Title must be at most {TITLE_MAX_CHARS} characters")
    title = value.strip()
    if not title:
        raise ValidationFailed("title", "Title cannot be empty")
    return title


def _content(value: str) -> str:
    if len(value) > CONTENT_MAX_CHARS:
        raise ValidationFailed(
            "content", f"Content must be at most {CONTENT_MAX_CHARS:,} characters"
        )
    return value


def _tags(values: list[str]) -> list[str]:
    """Trimmed, lower-case, without duplicates, in the order given."""
    tags: list[str] = []
    for value in values:
        trimmed = value.strip()
        # Counted before lower-casing, which can lengthen a tag ("İ" becomes two characters).
        if not trimmed or len(value) > TAG_MAX_CHARS:
            raise ValidationFailed("tags", f"Each tag must be 1–{TAG_MAX_CHARS} characters")
        tag = trimmed.lower()
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise ValidationFailed("tags", f"At most {TAGS_MAX} tags")
    return tags


def _change_description(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > CHANGE_DESCRIPTION_MAX_CHARS:
        raise ValidationFailed(
            "change_description",
            f"Change description must be at most {CHANGE_DESCRIPTION_MAX_CHARS} characters",
        )
    return value.strip() or None


def tag_filter(value: str | None) -> list[str] | None:
    """`tag=a,b`: notes carrying any of these tags."""
    if value is None:
        return None
    tags = [tag.strip().lower() for tag in value.split(",") if tag.strip()]
    if not tags:
        raise ValidationFailed("tag", "Give at least one tag")
    return tags


def search_fields(value: str) -> frozenset[str]:
    fields = frozenset(part.strip() for part in value.split(",") if part.strip())
    if not fields or not fields <= SEARCH_FIELDS:
        raise ValidationFailed("in", "Must be title, content or title,content")
    return fields


# --- access -------------------------------------------------------------------------------


async def _readable(
    conn: Connection, note_id: UUID, principal: Principal, *, lock: bool = False
) -> Record:
    row = await repository.find_with_access(conn, note_id, principal.id, lock=lock)
    if row is None or row["permission"] is None:
        raise NotFound(NOT_FOUND)
    return row


async def _writable(conn: Connection, note_id: UUID, principal: Principal) -> Record:
    row = await _readable(conn, note_id, principal, lock=True)
    if row["permission"] == "read":
        raise Forbidden(WRITE_NEEDED)
    return row


async def _owned(conn: Connection, note_id: UUID, principal: Principal) -> Record:
    row = await _readable(conn, note_id, principal)
    if row["permission"] != "owner":
        raise Forbidden(OWNER_ONLY)
    return row


# --- notes --------------------------------------------------------------------------------


async def create_note(
    conn: Connection, principal: Principal, body: CreateNoteRequest
) -> NoteResponse:
    row = await repository.insert_note(
        conn,
        principal.id,
        _title(body.title),
        _content(body.content),
        body.is_public,
        _tags(body.tags),
    )
    log.info("note.created", note_id=str(row["id"]), user_id=str(principal.id))
    return NoteResponse.model_validate(
        {
            **dict(row),
            "is_owner": True,
            "permission": "owner",
            "owner_id": principal.id,
            "owner_username": principal.username,
        }
    )


async def get_note(conn: Connection, principal: Principal, note_id: UUID) -> NoteResponse:
    row = await _readable(conn, note_id, principal)
    await repository.mark_viewed(conn, note_id)
    return NoteResponse.model_validate(dict(row))


async def list_notes(
    conn: Connection, principal: Principal, query: ListQuery, *, include_shared: bool
) -> Counted[Record]:
    """Rows of `NoteResponse`: the caller's notes, and those shared with them when asked."""
    return await repository.list_notes(
        conn, principal.id, query, include_shared=include_shared, shared_only=False
    )


async def shared_with_me(
    conn: Connection, principal: Principal, query: ListQuery
) -> Counted[Record]:
    """Rows of `NoteResponse`: notes shared with the caller by an active, unexpired share."""
    return await repository.list_notes(
        conn, principal.id, query, include_shared=True, shared_only=True
    )


async def update_note(
    conn: Connection,
    principal: Principal,
    note_id: UUID,
    changes: dict[str, Any],
) -> NoteResponse:
    """Apply the given fields (owner or write-share). A change of title or content first keeps
    the previous title and content as a version, by the caller."""
    async with atomic(conn):
        row = await _writable(conn, note_id, principal)
        new = {
            "title": _title(changes["title"]) if changes.get("title") is not None else row["title"],
            "content": _content(changes["content"])
            if changes.get("content") is not None
            else row["content"],
            "is_public": row["is_public"]
            if changes.get("is_public") is None
            else changes["is_public"],
            "tags": row["tags"] if changes.get("tags") is None else _tags(changes["tags"]),
        }
        description = _change_description(changes.get("change_description"))
        if (new["title"], new["content"]) != (row["title"], row["content"]):
            await repository.insert_version(
                conn, note_id, row["title"], row["content"], principal.id, description
            )
        updated_at = await repository.update_note(conn, note_id, **new)
    log.info("note.updated", note_id=str(note_id), user_id=str(principal.id))
    return NoteResponse.model_validate({**dict(row), **new, "updated_at": updated_at})


async def delete_note(conn: Connection, principal: Principal, note_id: UUID) -> None:
    await _owned(conn, note_id, principal)
    await repository.delete_note(conn, note_id)
    log.info("note.deleted", note_id=str(note_id), user_id=str(principal.id))


# --- search -------------------------------------------------------------------------------


def _safe_highlight(fragment: str) -> str:
    """HTML-escape the fragment except the `<mark>` tags around the matched words."""
    return "".join(
        part if part in ("<mark>", "</mark>") else html.escape(part, quote=False)
        for part in MARK.split(fragment)
    )


async def search(
    conn: Connection,
    principal: Principal,
    text: str,
    fields: frozenset[str],
    *,
    include_shared: bool,
    limit: int,
    offset: int,
) -> Counted[dict[str, Any]]:
    """Rows of `SearchResult`, best match first (a title match outranks a content match), and
    how many notes match."""
    text = text.strip()
    if not text:
        raise ValidationFailed("q", "Search query cannot be empty")
    if len(text) > QUERY_MAX_CHARS:
        raise ValidationFailed("q", f"Search query must be at most {QUERY_MAX_CHARS} characters")
    if not await repository.query_has_words(conn, text):
        raise ValidationFailed("q", "Search query has no searchable words")
    found = await repository.search_notes(
        conn,
        principal.id,
        text,
        fields,
        include_shared=include_shared,
        limit=limit,
        offset=offset,
    )
    rows = [
        {
            **dict(row),
            "title_highlight": _safe_highlight(row["title_highlight"]),
            "content_highlight": _safe_highlight(row["content_highlight"]),
        }
        for row in found.rows
    ]
    return Counted(rows, found.total)


# --- shares -------------------------------------------------------------------------------


def _share_expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise ValidationFailed("expires_at", "Must be in the future")
    return expires_at


async def share_note(
    conn: Connection, principal: Principal, note_id: UUID, body: ShareNoteRequest
) -> ShareResponse:
    """Owner only. Sharing again with the same user changes the permission and expiry."""
    await _owned(conn, note_id, principal)
    if (body.user_id is None) == (body.username is None):
        raise ValidationFailed("user_id", "Give either user_id or username")
    expires_at = _share_expiry(body.expires_at)
    target = await repository.find_active_user(conn, body.user_id, body.username)
    if target is None:
        raise ValidationFailed("user_id", "No active user to share with")
    if target["id"] == principal.id:
        raise ValidationFailed("user_id", "You cannot share a note with yourself")
    row = await repository.upsert_share(
        conn, note_id, target["id"], body.permission, principal.id, expires_at
    )
    log.info(
        "note.shared", note_id=str(note_id), user_id=str(target["id"]), permission=body.permission
    )
    return ShareResponse.model_validate(dict(row))


async def revoke_share(
    conn: Connection, principal: Principal, note_id: UUID, user_id: UUID
) -> None:
    await _owned(conn, note_id, principal)
    if not await repository.revoke_share(conn, note_id, user_id):
        raise NotFound(SHARE_NOT_FOUND)
    log.info("note.share_revoked", note_id=str(note_id), user_id=str(user_id))


async def list_shares(conn: Connection, principal: Principal, note_id: UUID) -> list[Record]:
    """Rows of `ShareResponse`: who has access now (owner only)."""
    await _owned(conn, note_id, principal)
    return await repository.list_shares(conn, note_id)


# --- versions -----------------------------------------------------------------------------


async def list_versions(
    conn: Connection, principal: Principal, note_id: UUID, limit: int, offset: int
) -> Counted[Record]:
    """Rows of `VersionResponse`, newest first, for anyone who may read the note."""
    await _readable(conn, note_id, principal)
    return await repository.list_versions(conn, note_id, limit, offset)


async def restore_version(
    conn: Connection, principal: Principal, note_id: UUID, version_id: UUID
) -> NoteResponse:
    """Owner or write-share: the note takes the version's title and content, and the state it
    had becomes a new version."""
    async with atomic(conn):
        await _writable(conn, note_id, principal)
        version = await repository.find_version(conn, note_id, version_id)
        if version is None:
            raise NotFound(VERSION_NOT_FOUND)
        stamp = version["created_at"].astimezone(UTC)
        changes = {
            "title": version["title"],
            "content": version["content"],
            "change_description": f"Restored the version of {stamp:%Y-%m-%d %H:%M:%S} UTC",
        }
        return await update_note(conn, principal, note_id, changes)
