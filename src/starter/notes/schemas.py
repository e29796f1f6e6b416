"""Notes request and response bodies."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from starter.core.envelope import (
    CheckedByService,
    InputTimestamp,
    RequestModel,
    ResponseModel,
    Timestamp,
)

TITLE_MAX_CHARS = 200
CONTENT_MAX_CHARS = 100_000
TAG_MAX_CHARS = 50
TAGS_MAX = 20
CHANGE_DESCRIPTION_MAX_CHARS = 500

SharePermission = Literal["read", "write"]
Permission = Literal["owner", "write", "read"]
OrderBy = Literal["created_at", "updated_at", "title"]
Order = Literal["asc", "desc"]

# Lengths are checked by the service (in characters as sent; a title or tag is then trimmed),
# with its own messages.
Title = Annotated[str, CheckedByService(max_length=TITLE_MAX_CHARS, min_length=1)]
Content = Annotated[str, CheckedByService(max_length=CONTENT_MAX_CHARS)]
Tag = Annotated[str, CheckedByService(max_length=TAG_MAX_CHARS, min_length=1)]
Tags = Annotated[list[Tag], Field(json_schema_extra={"maxItems": TAGS_MAX})]
ChangeDescription = Annotated[str, CheckedByService(max_length=CHANGE_DESCRIPTION_MAX_CHARS)]


class CreateNoteRequest(RequestModel):
    title: Title = Field(examples=["Groceries"], description="1–200 characters, trimmed.")
    content: Content = Field(default="", description="Markdown, up to 100,000 characters.")
    is_public: bool = False
    tags: Tags = Field(
        default_factory=list,
        examples=[["home", "todo"]],
        description="Up to 20 tags of 1–50 characters, stored lower-case without duplicates.",
    )


class ReplaceNoteRequest(RequestModel):
    """PUT: title and content are required; `is_public` and `tags` change only when given."""

    title: Title
    content: Content
    is_public: bool | None = None
    tags: Tags | None = None
    change_description: ChangeDescription | None = Field(
        default=None, description="Stored with the version this change creates."
    )


class UpdateNoteRequest(RequestModel):
    """PATCH: only the given fields change."""

    title: Title | None = None
    content: Content | None = None
    is_public: bool | None = None
    tags: Tags | None = None
    change_description: ChangeDescription | None = None


class NoteResponse(ResponseModel):
    id: UUID
    title: str
    content: str
    is_public: bool
    tags: list[str]
    created_at: Timestamp
    updated_at: Timestamp
    is_owner: bool
    permission: Permission = Field(
        description="The caller's access: `owner`, or the share's `read`/`write` "
        "(`read` for a public note that is not shared with the caller)."
    )
    owner_id: UUID
    owner_username: str


class ShareNoteRequest(RequestModel):
    user_id: UUID | None = Field(
        default=None, strict=False, description="Who to share with (or give `username`)."
    )
    username: Annotated[str, Field(max_length=255)] | None = Field(
        default=None, description="Who to share with, by username (or give `user_id`)."
    )
    permission: SharePermission = "read"
    expires_at: InputTimestamp | None = Field(
        default=None, strict=False, description="Optional end of access; must be in the future."
    )


class ShareResponse(ResponseModel):
    note_id: UUID
    user_id: UUID
    username: str
    permission: SharePermission
    shared_by: UUID | None
    created_at: Timestamp
    expires_at: Timestamp | None


class VersionResponse(ResponseModel):
    id: UUID
    note_id: UUID
    title: str
    content: str
    created_by: UUID | None
    created_by_username: str | None
    created_at: Timestamp
    change_description: str | None


class SearchResult(ResponseModel):
    id: UUID
    title: str
    title_highlight: str = Field(
        description="The title as HTML-escaped text, matched words wrapped in `<mark>`."
    )
    content_highlight: str = Field(
        description="Fragments of the content, HTML-escaped, matched words in `<mark>`."
    )
    score: float
    tags: list[str]
    updated_at: Timestamp
    is_owner: bool
    permission: Permission
    owner_username: str
