"""/notes: the caller's notes, sharing, version history and full-text search.

Static paths (/notes/shared, /notes/search) are declared before /notes/{id} so they win the match.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query
from starlette.responses import Response

from starter.auth.deps import CurrentUser
from starter.core.deps import Conn, Tx
from starter.core.envelope import ApiResponse, error_responses, ok
from starter.core.listing import COUNTED, list_response, whole_list_response
from starter.core.pagination import Page, page_params
from starter.core.routing import api_router
from starter.notes import service
from starter.notes.repository import ListQuery
from starter.notes.schemas import (
    CreateNoteRequest,
    NoteResponse,
    Order,
    OrderBy,
    ReplaceNoteRequest,
    SearchResult,
    ShareNoteRequest,
    ShareResponse,
    UpdateNoteRequest,
    VersionResponse,
)

router = api_router(prefix="/notes", tags=["Notes"])

NotesPage = Annotated[Page, Depends(page_params(50, 100, clamp=True))]

_DESCRIBED = {
    403: "You may read the note but not do this (read-only share, or not the owner)",
    404: "No such note, or not one you may read",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(401, *statuses, described=_DESCRIBED)


async def list_query(
    page: NotesPage,
    tag: Annotated[
        str | None, Query(max_length=1100, description="Comma list: notes with any of these tags.")
    ] = None,
    is_public: bool | None = None,
    order_by: OrderBy = "updated_at",
    order: Order = "desc",
) -> ListQuery:
    return ListQuery(
        service.tag_filter(tag), is_public, order_by, order == "desc", page.limit, page.offset
    )


NotesQuery = Annotated[ListQuery, Depends(list_query)]


@router.get(
    "",
    summary="List your notes",
    description="Your notes; with `include_shared=true` also those shared with you, each with "
    "your `permission`. `limit` ≤ 100 (larger values are clamped).",
    response_model=ApiResponse[list[NoteResponse]],
    responses={**errors(400), **COUNTED},
)
async def list_notes(
    principal: CurrentUser, query: NotesQuery, conn: Conn, include_shared: bool = False
) -> Response:
    found = await service.list_notes(conn, principal, query, include_shared=include_shared)
    return list_response(NoteResponse, found.rows, total=found.total)


@router.post("", summary="Create a note", responses=errors(400, 422))
async def create_note(
    principal: CurrentUser, body: CreateNoteRequest, conn: Conn
) -> ApiResponse[NoteResponse]:
    return ok(await service.create_note(conn, principal, body), "Note created")


@router.get(
    "/shared",
    summary="Notes shared with you",
    description="Notes others share with you by an active, unexpired share.",
    response_model=ApiResponse[list[NoteResponse]],
    responses={**errors(400), **COUNTED},
)
async def list_shared_notes(principal: CurrentUser, query: NotesQuery, conn: Conn) -> Response:
    found = await service.shared_with_me(conn, principal, query)
    return list_response(NoteResponse, found.rows, total=found.total)


@router.get(
    "/search",
    summary="Full-text search in your notes",
    description='PostgreSQL full-text search (web search syntax: words, "phrases", `or`, '
    "`-word`) over your notes, and those shared with you with `include_shared=true`. Best "
    "match first: a title match ranks above a content match. An empty query, or one of stop "
    "words only, is 400. `X-Total-Count` is the number of matching notes.",
    response_model=ApiResponse[list[SearchResult]],
    responses={**errors(400), **COUNTED},
)
async def search_notes(
    principal: CurrentUser,
    page: NotesPage,
    conn: Conn,
    q: Annotated[str, Query(max_length=2000, description="What to look for.")] = "",
    fields: Annotated[
        str, Query(alias="in", max_length=100, description="Where: `title`, `content` or both.")
    ] = "title,content",
    include_shared: bool = False,
) -> Response:
    found = await service.search(
        conn,
        principal,
        q,
        service.search_fields(fields),
        include_shared=include_shared,
        limit=page.limit,
        offset=page.offset,
    )
    return list_response(SearchResult, found.rows, total=found.total)


@router.get(
    "/{id}",
    summary="Get a note",
    description="Yours, shared with you, or public.",
    responses=errors(400, 404),
)
async def get_note(principal: CurrentUser, id: UUID, conn: Conn) -> ApiResponse[NoteResponse]:
    return ok(await service.get_note(conn, principal, id))


@router.put(
    "/{id}",
    summary="Replace a note's title and content",
    description="Owner or write-share. A change of title or content keeps the previous state "
    "as a version; `is_public` and `tags` change only when given.",
    responses=errors(400, 403, 404, 422),
)
async def replace_note(
    principal: CurrentUser, id: UUID, body: ReplaceNoteRequest, conn: Tx
) -> ApiResponse[NoteResponse]:
    return ok(await service.update_note(conn, principal, id, body.model_dump()), "Note saved")


@router.patch(
    "/{id}",
    summary="Update some of a note's fields",
    description="Owner or write-share; only the given fields change. A change of title or "
    "content keeps the previous state as a version.",
    responses=errors(400, 403, 404, 422),
)
async def update_note(
    principal: CurrentUser, id: UUID, body: UpdateNoteRequest, conn: Tx
) -> ApiResponse[NoteResponse]:
    return ok(await service.update_note(conn, principal, id, body.model_dump()), "Note saved")


@router.delete(
    "/{id}", summary="Delete a note", description="Owner only.", responses=errors(400, 403, 404)
)
async def delete_note(principal: CurrentUser, id: UUID, conn: Conn) -> ApiResponse[str]:
    await service.delete_note(conn, principal, id)
    return ok("Note deleted")


@router.post(
    "/{id}/share",
    summary="Share a note",
    description="Owner only. Give `user_id` or `username` of an active account other than "
    "yours (400 otherwise); sharing again with the same user changes the permission and expiry.",
    responses=errors(400, 403, 404, 422),
)
async def share_note(
    principal: CurrentUser, id: UUID, body: ShareNoteRequest, conn: Conn
) -> ApiResponse[ShareResponse]:
    return ok(await service.share_note(conn, principal, id, body), "Note shared")


@router.delete(
    "/{id}/share/{user_id}",
    summary="Stop sharing a note with a user",
    description="Owner only.",
    responses=errors(400, 403, 404),
)
async def revoke_share(
    principal: CurrentUser, id: UUID, user_id: UUID, conn: Conn
) -> ApiResponse[str]:
    await service.revoke_share(conn, principal, id, user_id)
    return ok("Share revoked")


@router.get(
    "/{id}/shares",
    summary="Who a note is shared with",
    description="Owner only: the shares that grant access now.",
    response_model=ApiResponse[list[ShareResponse]],
    responses={**errors(400, 403, 404), **COUNTED},
)
async def list_shares(principal: CurrentUser, id: UUID, conn: Conn) -> Response:
    return whole_list_response(ShareResponse, await service.list_shares(conn, principal, id))


@router.get(
    "/{id}/versions",
    summary="A note's version history",
    description="Anyone who may read the note; newest first. Each version is the title and "
    "content the note had before a change, by the user who made that change.",
    response_model=ApiResponse[list[VersionResponse]],
    responses={**errors(400, 404), **COUNTED},
)
async def list_versions(principal: CurrentUser, id: UUID, page: NotesPage, conn: Conn) -> Response:
    found = await service.list_versions(conn, principal, id, page.limit, page.offset)
    return list_response(VersionResponse, found.rows, total=found.total)


@router.post(
    "/{id}/versions/{version_id}/restore",
    summary="Restore a version",
    description="Owner or write-share. The note takes the version's title and content; the "
    "state it had is kept as a new version.",
    responses=errors(400, 403, 404),
)
async def restore_version(
    principal: CurrentUser, id: UUID, version_id: UUID, conn: Tx
) -> ApiResponse[NoteResponse]:
    return ok(await service.restore_version(conn, principal, id, version_id), "Version restored")
