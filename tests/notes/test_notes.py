"""Notes: create, read, list (filters, order, paging), update with versions, restore, delete."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from tests.notes.conftest import URL, MakeNote, Share
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

NOTE_FIELDS = [
    "id",
    "title",
    "content",
    "is_public",
    "tags",
    "created_at",
    "updated_at",
    "is_owner",
    "permission",
    "owner_id",
    "owner_username",
]


async def test_create_returns_the_note_trimmed_and_normalized(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    response = await client.post(
        URL,
        json={"title": "  Groceries  ", "content": "milk", "tags": ["Home", "home", " TODO "]},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Note created"
    note = body["data"]
    assert list(note) == NOTE_FIELDS
    assert note["title"] == "Groceries"
    assert note["tags"] == ["home", "todo"]
    assert note["is_public"] is False
    assert (note["is_owner"], note["permission"]) == (True, "owner")
    assert (note["owner_id"], note["owner_username"]) == (user.id, user.username)
    assert note["created_at"].endswith("Z") and len(note["created_at"]) == 27


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "   "}, "title", "Title cannot be empty"),
        ({"title": "x" * 201}, "title", "Title must be at most 200 characters"),
        # The limit counts what was sent, as the published maxLength does, blanks included.
        ({"title": "\n" + "x" * 200}, "title", "Title must be at most 200 characters"),
        (
            {"title": "t", "content": "x" * 100_001},
            "content",
            "Content must be at most 100,000 characters",
        ),
        ({"title": "t", "tags": [""]}, "tags", "Each tag must be 1–50 characters"),
        ({"title": "t", "tags": ["x" * 51]}, "tags", "Each tag must be 1–50 characters"),
        ({"title": "t", "tags": [" " + "x" * 50]}, "tags", "Each tag must be 1–50 characters"),
        ({"title": "t", "tags": [f"t{n}" for n in range(21)]}, "tags", "At most 20 tags"),
    ],
)
async def test_create_refuses_bad_values(
    client: httpx.AsyncClient, user: AppUser, body: dict[str, Any], field: str, message: str
) -> None:
    response = await client.post(URL, json=body, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for {field}: {message}")


async def test_limits_are_inclusive(client: httpx.AsyncClient, user: AppUser) -> None:
    body = {
        "title": "x" * 200,
        "content": "y" * 100_000,
        "tags": [f"{n:0>50}" for n in range(20)],
    }
    response = await client.post(URL, json=body, headers=user.headers)
    assert response.status_code == 200, response.text


async def test_a_tag_is_measured_as_typed_not_as_lower_cased(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    # "İ".lower() is two characters: 50 of them typed stay within the documented 50.
    body = {"title": "t", "tags": ["İ" * 50]}
    response = await client.post(URL, json=body, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["tags"] == ["İ".lower() * 50]


async def test_missing_title_is_422(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await client.post(URL, json={}, headers=user.headers), 422, "VALIDATION_FAILED")


async def test_get_updates_last_viewed_at_but_not_updated_at(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote, db: asyncpg.Connection
) -> None:
    note = await make_note(user)
    response = await client.get(f"{URL}/{note['id']}", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == note
    row = await db.fetchrow(
        "SELECT last_viewed_at, updated_at, created_at FROM notes WHERE id = $1", UUID(note["id"])
    )
    assert row is not None
    assert row["last_viewed_at"] is not None
    assert row["updated_at"] == row["created_at"]


async def test_unknown_note_is_404(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{URL}/{uuid4()}", headers=user.headers)
    assert_error(response, 404, "NOT_FOUND", "Note not found")
    response = await client.get(f"{URL}/not-a-uuid", headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")


# --- list -----------------------------------------------------------------------------------


async def test_list_shows_own_notes_with_filters_and_order(
    client: httpx.AsyncClient, user: AppUser, make_user: MakeUser, make_note: MakeNote
) -> None:
    other = await make_user()
    await make_note(other, title="not mine", is_public=True)
    banana = await make_note(user, title="Banana", tags=["fruit", "yellow"])
    apple = await make_note(user, title="apple", tags=["fruit"], is_public=True)
    carrot = await make_note(user, title="Carrot", tags=["veg"])

    async def titles(**params: Any) -> list[str]:
        response = await client.get(URL, params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        return [note["title"] for note in response.json()["data"]]

    assert await titles() == ["Carrot", "apple", "Banana"]  # updated_at desc by default
    assert await titles(order_by="created_at", order="asc") == ["Banana", "apple", "Carrot"]
    assert await titles(order_by="title", order="asc") == ["apple", "Banana", "Carrot"]
    assert await titles(order_by="title") == ["Carrot", "Banana", "apple"]
    assert await titles(tag="fruit", order_by="created_at", order="asc") == ["Banana", "apple"]
    assert await titles(tag="YELLOW,veg", order_by="created_at", order="asc") == [
        "Banana",
        "Carrot",
    ]
    assert await titles(is_public="true") == ["apple"]
    assert await titles(is_public="false", order_by="created_at", order="asc") == [
        "Banana",
        "Carrot",
    ]
    assert await titles(limit=2, offset=1) == ["apple", "Banana"]
    assert len({banana["id"], apple["id"], carrot["id"]}) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"order_by": "owner"}, "order_by"),
        ({"order": "up"}, "order"),
        ({"is_public": "maybe"}, "is_public"),
        ({"limit": -1}, "limit"),
        ({"tag": " , "}, "tag"),
    ],
)
async def test_list_refuses_bad_parameters(
    client: httpx.AsyncClient, user: AppUser, params: dict[str, Any], field: str
) -> None:
    response = await client.get(URL, params=params, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert f"for {field}" in response.json()["error"]["message"]


async def test_include_shared_adds_shared_notes_with_their_permission(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    make_note: MakeNote,
    share: Share,
) -> None:
    owner, reader = await make_user(), await make_user()
    mine = await make_note(reader, title="mine")
    theirs = await make_note(owner, title="theirs")
    await share(owner, theirs["id"], reader, "write")
    plain = await client.get(URL, headers=reader.headers)
    assert [n["id"] for n in plain.json()["data"]] == [mine["id"]]
    both = await client.get(URL, params={"include_shared": "true"}, headers=reader.headers)
    by_id = {n["id"]: n for n in both.json()["data"]}
    assert set(by_id) == {mine["id"], theirs["id"]}
    assert (by_id[theirs["id"]]["is_owner"], by_id[theirs["id"]]["permission"]) == (False, "write")
    assert by_id[theirs["id"]]["owner_username"] == owner.username
    assert by_id[mine["id"]]["permission"] == "owner"


# --- updates and versions -------------------------------------------------------------------


async def versions(client: httpx.AsyncClient, who: AppUser, note_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"{URL}/{note_id}/versions", headers=who.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_every_change_of_title_or_content_keeps_a_version(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    note = await make_note(user, title="v0", content="zero")
    first = await client.put(
        f"{URL}/{note['id']}",
        json={"title": "v1", "content": "one", "change_description": "first edit"},
        headers=user.headers,
    )
    assert first.status_code == 200, first.text
    assert (first.json()["data"]["title"], first.json()["data"]["content"]) == ("v1", "one")
    second = await client.patch(
        f"{URL}/{note['id']}", json={"content": "two"}, headers=user.headers
    )
    assert second.json()["data"]["content"] == "two"
    assert second.json()["data"]["title"] == "v1"
    history = await versions(client, user, note["id"])
    assert [(v["title"], v["content"]) for v in history] == [("v1", "one"), ("v0", "zero")]
    assert history[1]["change_description"] == "first edit"
    assert history[0]["change_description"] is None
    assert {v["created_by"] for v in history} == {user.id}
    assert {v["created_by_username"] for v in history} == {user.username}
    assert history[0]["created_at"] > history[1]["created_at"]


async def test_changes_without_new_text_keep_no_version(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    note = await make_note(user, title="same", content="same")
    for body in (
        {"tags": ["x"]},
        {"is_public": True},
        {"title": "same", "content": "same"},
    ):
        response = await client.patch(f"{URL}/{note['id']}", json=body, headers=user.headers)
        assert response.status_code == 200, response.text
    assert await versions(client, user, note["id"]) == []
    current = (await client.get(f"{URL}/{note['id']}", headers=user.headers)).json()["data"]
    assert (current["tags"], current["is_public"]) == (["x"], True)
    assert current["updated_at"] > note["updated_at"]


async def test_put_needs_title_and_content(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    note = await make_note(user)
    response = await client.put(f"{URL}/{note['id']}", json={"title": "t"}, headers=user.headers)
    assert_error(response, 422, "VALIDATION_FAILED")
    response = await client.patch(f"{URL}/{note['id']}", json={"title": " "}, headers=user.headers)
    assert_error(
        response, 400, "VALIDATION_FAILED", "Validation failed for title: Title cannot be empty"
    )


async def test_change_description_is_at_most_500_characters(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    note = await make_note(user)
    url = f"{URL}/{note['id']}"
    too_long = {"content": "x", "change_description": "d" * 501}
    assert_error(
        await client.patch(url, json=too_long, headers=user.headers),
        400,
        "VALIDATION_FAILED",
        "Validation failed for change_description: "
        "Change description must be at most 500 characters",
    )
    ok = await client.patch(
        url, json={**too_long, "change_description": "d" * 500}, headers=user.headers
    )
    assert ok.status_code == 200, ok.text


async def test_restore_brings_back_a_version_and_is_a_version_itself(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    note = await make_note(user, title="first", content="one")
    for n in (2, 3):
        await client.patch(
            f"{URL}/{note['id']}", json={"content": f"edit {n}"}, headers=user.headers
        )
    history = await versions(client, user, note["id"])
    assert [v["content"] for v in history] == ["edit 2", "one"]
    response = await client.post(
        f"{URL}/{note['id']}/versions/{history[1]['id']}/restore", headers=user.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["content"] == "one"
    after = await versions(client, user, note["id"])
    assert [v["content"] for v in after] == ["edit 3", "edit 2", "one"]
    assert after[0]["change_description"].startswith("Restored the version of ")


async def test_restore_of_another_notes_version_is_404(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    a, b = await make_note(user), await make_note(user)
    await client.patch(f"{URL}/{a['id']}", json={"content": "changed"}, headers=user.headers)
    (version,) = await versions(client, user, a["id"])
    response = await client.post(
        f"{URL}/{b['id']}/versions/{version['id']}/restore", headers=user.headers
    )
    assert_error(response, 404, "NOT_FOUND", "Version not found")


async def test_concurrent_edits_each_keep_a_version(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote
) -> None:
    """The note is locked while a change is made: no edit loses the state it replaced."""
    note = await make_note(user, content="start")
    results = await asyncio.gather(
        *(
            client.patch(f"{URL}/{note['id']}", json={"content": f"c{n}"}, headers=user.headers)
            for n in range(5)
        )
    )
    assert all(r.status_code == 200 for r in results)
    history = await versions(client, user, note["id"])
    assert len(history) == 5
    assert history[-1]["content"] == "start"
    assert len({v["content"] for v in history}) == 5


async def test_delete_removes_the_note_and_its_history(
    client: httpx.AsyncClient, user: AppUser, make_note: MakeNote, db: asyncpg.Connection
) -> None:
    note = await make_note(user)
    await client.patch(f"{URL}/{note['id']}", json={"content": "x"}, headers=user.headers)
    response = await client.delete(f"{URL}/{note['id']}", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == "Note deleted"
    assert_error(await client.get(f"{URL}/{note['id']}", headers=user.headers), 404, "NOT_FOUND")
    assert await db.fetchval("SELECT count(*) FROM note_versions") == 0


async def test_deleting_the_owner_deletes_their_notes(
    client: httpx.AsyncClient,
    admin: AppUser,
    user: AppUser,
    make_note: MakeNote,
    db: asyncpg.Connection,
) -> None:
    await make_note(user)
    response = await client.request(
        "DELETE", f"/api/v1/users/{user.id}", json={"hard_delete": True}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert await db.fetchval("SELECT count(*) FROM notes") == 0
