"""Full-text search: ranking, fields, highlighting, reach, and refused queries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.notes.conftest import URL, MakeNote, Share
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

SEARCH = f"{URL}/search"


async def search(client: httpx.AsyncClient, who: AppUser, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(SEARCH, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_title_match_ranks_above_content_only_match(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    # The content-only match is created last (newest) and mentions the word more often.
    in_title = await make_note(user, title="Kubernetes upgrade", content="steps for the cluster")
    await make_note(user, title="Unrelated", content="nothing to see")
    in_content = await make_note(
        user, title="Weekly log", content="kubernetes kubernetes, and more kubernetes"
    )
    results = await search(client, user, q="kubernetes")
    assert [r["id"] for r in results] == [in_title["id"], in_content["id"]]
    assert results[0]["score"] > results[1]["score"] > 0


async def test_fragments_are_highlighted_and_escaped(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    await make_note(
        user,
        title="Pasta <b>night</b>",
        content="Boil water. <script>alert(1)</script> Then add the pasta and salt.",
    )
    (result,) = await search(client, user, q="pasta")
    assert result["title_highlight"] == "<mark>Pasta</mark> &lt;b&gt;night&lt;/b&gt;"
    assert "<mark>pasta</mark>" in result["content_highlight"]
    assert "<script>" not in result["content_highlight"]
    assert list(result) == [
        "id",
        "title",
        "title_highlight",
        "content_highlight",
        "score",
        "tags",
        "updated_at",
        "is_owner",
        "permission",
        "owner_username",
    ]


async def test_stemming_and_web_search_syntax(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    running = await make_note(user, title="Morning", content="I was running by the river")
    late = await make_note(user, title="Evening", content="running late, no river today")
    assert len(await search(client, user, q="runs")) == 2  # english stemming: runs ~ running
    assert [r["id"] for r in await search(client, user, q='"running late"')] == [late["id"]]
    assert await search(client, user, q='"late running"') == []
    only = await search(client, user, q="running -late")
    assert [r["id"] for r in only] == [running["id"]]


async def test_in_restricts_the_fields(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    title = await make_note(user, title="Orchid care", content="water weekly")
    content = await make_note(user, title="Plants", content="the orchid by the window")
    assert [r["id"] for r in await search(client, user, q="orchid", **{"in": "title"})] == [
        title["id"]
    ]
    assert [r["id"] for r in await search(client, user, q="orchid", **{"in": "content"})] == [
        content["id"]
    ]
    assert len(await search(client, user, q="orchid", **{"in": "title,content"})) == 2


async def test_search_reaches_own_notes_and_shared_ones_when_asked(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, share: Share
) -> None:
    owner, reader, stranger = await make_user(), await make_user(), await make_user()
    shared = await make_note(owner, title="Zeppelin notes")
    await make_note(owner, title="Zeppelin private")
    await make_note(stranger, title="Zeppelin public", is_public=True)
    await share(owner, shared["id"], reader, "read")
    assert await search(client, reader, q="zeppelin") == []
    found = await search(client, reader, q="zeppelin", include_shared="true")
    assert [(r["id"], r["permission"], r["is_owner"]) for r in found] == [
        (shared["id"], "read", False)
    ]
    assert found[0]["owner_username"] == owner.username
    assert len(await search(client, owner, q="zeppelin")) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Validation failed for q: Search query cannot be empty"),
        ({"q": "   "}, "Validation failed for q: Search query cannot be empty"),
        ({"q": "the and of"}, "Validation failed for q: Search query has no searchable words"),
        ({"q": "!!! ::: &&"}, "Validation failed for q: Search query has no searchable words"),
        ({"q": "x" * 501}, "Validation failed for q: Search query must be at most 500 characters"),
        (
            {"q": "ok", "in": "body"},
            "Validation failed for in: Must be title, content or title,content",
        ),
        (
            {"q": "ok", "in": ""},
            "Validation failed for in: Must be title, content or title,content",
        ),
    ],
)
async def test_bad_queries_are_400(
    client: httpx.AsyncClient, user: AppUser, params: dict[str, Any], message: str
) -> None:
    response = await client.get(SEARCH, params=params, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED", message)


async def test_odd_queries_never_fail(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    await make_note(user, title="quote's & (parens)", content="a | b ! c")
    for q in ['"unterminated', "a & b | !c", "'quote's'", "(parens", "-", "or or", "\\"]:
        response = await client.get(SEARCH, params={"q": q}, headers=user.headers)
        assert response.status_code in (200, 400), (q, response.text)
