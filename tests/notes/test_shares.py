"""Sharing: who may share, with whom, what a share grants, expiry and revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import httpx

from tests.notes.conftest import URL, MakeNote, Share
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

SHARE_FIELDS = [
    "note_id",
    "user_id",
    "username",
    "permission",
    "shared_by",
    "created_at",
    "expires_at",
]


async def test_share_by_id_or_username_and_list_shares(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote
) -> None:
    owner, alice, bob = await make_user(), await make_user(), await make_user()
    note = await make_note(owner)
    by_id = await client.post(
        f"{URL}/{note['id']}/share", json={"user_id": alice.id}, headers=owner.headers
    )
    assert by_id.status_code == 200, by_id.text
    assert list(by_id.json()["data"]) == SHARE_FIELDS
    assert by_id.json()["data"]["permission"] == "read"
    assert by_id.json()["data"]["shared_by"] == owner.id
    by_name = await client.post(
        f"{URL}/{note['id']}/share",
        json={"username": bob.username.upper(), "permission": "write"},
        headers=owner.headers,
    )
    assert by_name.status_code == 200, by_name.text
    listed = await client.get(f"{URL}/{note['id']}/shares", headers=owner.headers)
    assert [(s["username"], s["permission"]) for s in listed.json()["data"]] == [
        (alice.username, "read"),
        (bob.username, "write"),
    ]


async def test_sharing_again_updates_the_permission(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, share: Share
) -> None:
    owner, reader = await make_user(), await make_user()
    note = await make_note(owner)
    await share(owner, note["id"], reader, "read")
    denied = await client.patch(
        f"{URL}/{note['id']}", json={"content": "x"}, headers=reader.headers
    )
    assert_error(denied, 403, "FORBIDDEN", "You have read-only access to this note")
    await share(owner, note["id"], reader, "write")
    allowed = await client.patch(
        f"{URL}/{note['id']}", json={"content": "x"}, headers=reader.headers
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["data"]["permission"] == "write"
    shares = (await client.get(f"{URL}/{note['id']}/shares", headers=owner.headers)).json()["data"]
    assert len(shares) == 1


async def test_write_share_edit_is_a_version_by_the_editor(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, share: Share
) -> None:
    owner, editor = await make_user(), await make_user()
    note = await make_note(owner, content="before")
    await share(owner, note["id"], editor, "write")
    await client.patch(f"{URL}/{note['id']}", json={"content": "after"}, headers=editor.headers)
    history = (await client.get(f"{URL}/{note['id']}/versions", headers=owner.headers)).json()
    (version,) = history["data"]
    assert (version["content"], version["created_by_username"]) == ("before", editor.username)


async def test_share_refusals(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, db: asyncpg.Connection
) -> None:
    owner, gone = await make_user(), await make_user()
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", UUID(gone.id))
    note = await make_note(owner)
    url = f"{URL}/{note['id']}/share"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    cases = [
        ({"user_id": owner.id}, "user_id", "You cannot share a note with yourself"),
        ({"user_id": str(uuid4())}, "user_id", "No active user to share with"),
        ({"user_id": gone.id}, "user_id", "No active user to share with"),
        ({"username": "nobody-here"}, "user_id", "No active user to share with"),
        ({}, "user_id", "Give either user_id or username"),
        ({"user_id": gone.id, "username": "x"}, "user_id", "Give either user_id or username"),
        ({"user_id": gone.id, "expires_at": past}, "expires_at", "Must be in the future"),
    ]
    for body, field, message in cases:
        response = await client.post(url, json=body, headers=owner.headers)
        assert_error(
            response, 400, "VALIDATION_FAILED", f"Validation failed for {field}: {message}"
        )
    response = await client.post(
        url, json={"user_id": gone.id, "permission": "admin"}, headers=owner.headers
    )
    assert_error(response, 422, "VALIDATION_FAILED")


async def test_expired_share_stops_granting_access_at_once(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    make_note: MakeNote,
    share: Share,
    db: asyncpg.Connection,
) -> None:
    owner, reader = await make_user(), await make_user()
    note = await make_note(owner)
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    granted = await share(owner, note["id"], reader, "write", expires_at=soon)
    assert granted["expires_at"] is not None
    assert (await client.get(f"{URL}/{note['id']}", headers=reader.headers)).status_code == 200
    shared = await client.get(f"{URL}/shared", headers=reader.headers)
    assert [n["id"] for n in shared.json()["data"]] == [note["id"]]

    # The moment passes: no job runs, every read compares with now().
    await db.execute(
        "UPDATE note_shares SET expires_at = now() - interval '1 second' WHERE note_id = $1",
        UUID(note["id"]),
    )
    assert_error(await client.get(f"{URL}/{note['id']}", headers=reader.headers), 404, "NOT_FOUND")
    edit = await client.patch(f"{URL}/{note['id']}", json={"content": "x"}, headers=reader.headers)
    assert_error(edit, 404, "NOT_FOUND")
    assert (await client.get(f"{URL}/shared", headers=reader.headers)).json()["data"] == []
    listed = await client.get(URL, params={"include_shared": "true"}, headers=reader.headers)
    assert listed.json()["data"] == []
    shares = await client.get(f"{URL}/{note['id']}/shares", headers=owner.headers)
    assert shares.json()["data"] == []


async def test_revoke_ends_access_and_sharing_again_restores_it(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, share: Share
) -> None:
    owner, reader = await make_user(), await make_user()
    note = await make_note(owner)
    await share(owner, note["id"], reader)
    revoke = await client.delete(f"{URL}/{note['id']}/share/{reader.id}", headers=owner.headers)
    assert revoke.status_code == 200, revoke.text
    assert revoke.json()["data"] == "Share revoked"
    assert_error(await client.get(f"{URL}/{note['id']}", headers=reader.headers), 404, "NOT_FOUND")
    again = await client.delete(f"{URL}/{note['id']}/share/{reader.id}", headers=owner.headers)
    assert_error(again, 404, "NOT_FOUND", "Share not found")
    await share(owner, note["id"], reader)
    assert (await client.get(f"{URL}/{note['id']}", headers=reader.headers)).status_code == 200


async def test_public_note_is_readable_by_anyone_signed_in_but_not_writable(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote
) -> None:
    owner, reader = await make_user(), await make_user()
    note = await make_note(owner, is_public=True)
    seen = await client.get(f"{URL}/{note['id']}", headers=reader.headers)
    assert (seen.json()["data"]["is_owner"], seen.json()["data"]["permission"]) == (False, "read")
    edit = await client.patch(f"{URL}/{note['id']}", json={"content": "x"}, headers=reader.headers)
    assert_error(edit, 403, "FORBIDDEN")
    # A public note is not one of the reader's own: it stays out of their list.
    listed = await client.get(URL, params={"include_shared": "true"}, headers=reader.headers)
    assert listed.json()["data"] == []


async def test_staff_get_no_access_to_private_notes(
    client: httpx.AsyncClient,
    user: AppUser,
    moderator: AppUser,
    admin: AppUser,
    make_note: MakeNote,
) -> None:
    note = await make_note(user, title="diary", content="private words")
    for staff in (moderator, admin):
        assert_error(
            await client.get(f"{URL}/{note['id']}", headers=staff.headers), 404, "NOT_FOUND"
        )
        search = await client.get(f"{URL}/search", params={"q": "private"}, headers=staff.headers)
        assert search.json()["data"] == []
