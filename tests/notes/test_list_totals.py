"""`X-Total-Count` on the notes lists: every match counted whatever the page, and the
shares (a whole list) by their length."""

from __future__ import annotations

import httpx

from tests.core.test_list_totals import total
from tests.notes.conftest import URL as NOTES
from tests.notes.conftest import MakeNote, Share
from tests.support.users import MakeUser


async def test_notes_lists_count_every_match(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, share: Share
) -> None:
    owner, reader = await make_user(), await make_user()
    notes = [await make_note(owner, tags=["red"] if n % 2 else []) for n in range(5)]
    await share(owner, notes[0]["id"], reader, "read")
    await share(owner, notes[1]["id"], reader, "write")
    assert await total(client, owner, NOTES, limit=2) == (2, 5)
    assert await total(client, owner, NOTES, tag="red") == (2, 2)
    assert await total(client, owner, NOTES, limit=2, offset=10) == (0, 5)
    assert await total(client, reader, NOTES) == (0, 0)
    assert await total(client, reader, NOTES, include_shared="true", limit=1) == (1, 2)
    assert await total(client, reader, f"{NOTES}/shared", limit=1) == (1, 2)
    assert await total(client, owner, f"{NOTES}/{notes[0]['id']}/shares") == (1, 1)
    note_url = f"{NOTES}/{notes[0]['id']}"
    for n in range(3):
        edited = await client.patch(note_url, json={"content": f"v{n}"}, headers=owner.headers)
        assert edited.status_code == 200, edited.text
    assert await total(client, owner, f"{note_url}/versions", limit=1) == (1, 3)
    assert await total(client, owner, f"{note_url}/versions", offset=3) == (0, 3)


async def test_search_counts_every_match(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, share: Share
) -> None:
    owner, reader = await make_user(), await make_user()
    notes = [await make_note(owner, title=f"zebra {n}", content="stripes") for n in range(4)]
    await make_note(owner, title="lion", content="mane")
    await share(owner, notes[0]["id"], reader, "read")
    search = f"{NOTES}/search"
    assert await total(client, owner, search, q="zebra", limit=3) == (3, 4)
    assert await total(client, owner, search, q="zebra", offset=3) == (1, 4)
    assert await total(client, owner, search, q="zebra", offset=9) == (0, 4)
    assert await total(client, owner, search, q="stripes", limit=0) == (0, 4)
    assert await total(client, owner, search, q="stripes", **{"in": "title"}) == (0, 0)
    assert await total(client, owner, search, q="lion") == (1, 1)
    assert await total(client, reader, search, q="zebra") == (0, 0)
    assert await total(client, reader, search, q="zebra", include_shared="true") == (1, 1)
