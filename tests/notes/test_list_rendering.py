"""The /notes list endpoints answer, byte for byte, what pydantic renders for the same records
(core/listing.py), with odd text, empty and full tag lists, null expiries and whole-second
timestamps in the rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from pydantic import BaseModel

from starter.notes import repository, service
from starter.notes.repository import ListQuery
from starter.notes.schemas import NoteResponse, SearchResult, ShareResponse, VersionResponse
from tests.core.test_list_response import as_principal, pydantic_rendering, rows_of_page
from tests.notes.conftest import URL, MakeNote, Share
from tests.support.users import AppUser, MakeUser

ALL = ListQuery(None, None, "updated_at", True, 50, 0)
Records = Callable[[asyncpg.Connection, AppUser, str], Awaitable[Sequence[Any]]]

# path (relative to /notes, `{id}` the arranged note), model, what the service returns
ENDPOINTS: list[tuple[str, type[BaseModel], Records]] = [
    (
        "?include_shared=true",
        NoteResponse,
        lambda db, who, _id: rows_of_page(
            service.list_notes(db, as_principal(who), ALL, include_shared=True)
        ),
    ),
    (
        "/shared",
        NoteResponse,
        lambda db, who, _id: rows_of_page(service.shared_with_me(db, as_principal(who), ALL)),
    ),
    (
        "/search?q=zebra&include_shared=true",
        SearchResult,
        lambda db, who, _id: rows_of_page(
            service.search(
                db,
                as_principal(who),
                "zebra",
                frozenset({"title", "content"}),
                include_shared=True,
                limit=50,
                offset=0,
            )
        ),
    ),
    ("/{id}/shares", ShareResponse, lambda db, _who, id: repository.list_shares(db, UUID(id))),
    (
        "/{id}/versions",
        VersionResponse,
        lambda db, _who, id: rows_of_page(repository.list_versions(db, UUID(id), 50, 0)),
    ),
]
PATHS = {"/notes" + path.split("?")[0] for path, _model, _records in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[path for path, *_ in ENDPOINTS])
async def test_list_bytes_equal_pydantic(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    make_note: MakeNote,
    share: Share,
    db: asyncpg.Connection,
    endpoint: tuple[str, type[BaseModel], Records],
) -> None:
    path, model, records = endpoint
    owner, reader = await make_user(), await make_user()
    texts = ['zebra ünïcode "quoted" \\ <b>', "zebra 😀\u2028 line", "zebra"]
    notes = [
        await make_note(owner, title=text, content=f"{text} zebra body", tags=tags)
        for text, tags in zip(texts, ([], ["a", "ü"], [f"t{n}" for n in range(20)]), strict=True)
    ]
    for note in notes:
        await client.patch(
            f"{URL}/{note['id']}", json={"content": "zebra again"}, headers=owner.headers
        )
    await share(owner, notes[0]["id"], reader, "write")
    await share(
        owner,
        notes[1]["id"],
        reader,
        "read",
        expires_at=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
    )
    whole_second = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    await db.execute("UPDATE notes SET created_at = $1", whole_second)
    await db.execute("UPDATE note_versions SET created_at = $1", whole_second)
    await db.execute("UPDATE note_shares SET created_at = $1", whole_second)
    who = owner if path.startswith("/{id}") else reader
    note_id = notes[0]["id"]
    response = await client.get(f"{URL}{path.format(id=note_id)}", headers=who.headers)
    assert response.status_code == 200, response.text
    expected = pydantic_rendering(model, await records(db, who, note_id))  # type: ignore[arg-type]
    assert response.json()["data"], "the arranged rows are listed"
    assert response.content == expected
