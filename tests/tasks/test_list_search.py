"""GET /tasks search, sort and totals: the id prefix, creation range, text and sort
parameters, `X-Total-Count` on every page (and on /tasks/dead-letter), and the 400 each bad
value gets."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data, insert_task


async def listed(
    client: httpx.AsyncClient, who: AppUser, path: str = "/tasks", **params: Any
) -> tuple[list[str], int]:
    """The ids of the page, and the total the header gives."""
    response = await client.get(API + path, params=params, headers=who.headers)
    rows = data(response)
    return [task["id"] for task in rows], int(response.headers["x-total-count"])


async def set_task(db: asyncpg.Connection, task_id: str, **columns: Any) -> None:
    for column, value in columns.items():
        await db.execute(f"UPDATE tasks SET {column} = $2 WHERE id = $1", uuid.UUID(task_id), value)


async def test_every_page_carries_the_total(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    made = [await insert_task(db, user, created_at_offset_secs=i) for i in range(7)]
    await insert_task(db, user, status="failed")
    assert await listed(client, user, status="pending", limit=3) == (made[:3], 7)
    assert await listed(client, user, status="pending", limit=3, offset=6) == (made[6:], 7)
    # Past the end, and a page of no rows, still count.
    assert await listed(client, user, status="pending", limit=3, offset=50) == ([], 7)
    assert await listed(client, user, status="pending", limit=0) == ([], 7)
    assert await listed(client, user, task_type="test_type") == ([], 0)
    assert (await listed(client, user))[1] == 8


async def test_the_total_counts_only_what_the_caller_may_see(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, moderator: AppUser
) -> None:
    alice, bob = await make_user("user"), await make_user("user")
    for _ in range(3):
        await insert_task(db, bob, status="failed")
    mine = await insert_task(db, alice, status="failed")
    assert await listed(client, alice) == ([mine], 1)
    assert await listed(client, alice, "/tasks/dead-letter") == ([mine], 1)
    assert (await listed(client, moderator, "/tasks/dead-letter", limit=2))[1] == 4
    assert (await listed(client, bob, "/tasks/dead-letter"))[1] == 3


async def test_the_envelope_is_unchanged_by_the_total(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    await insert_task(db, user)
    response = await client.get(f"{API}/tasks", headers=user.headers)
    assert response.content.startswith(b'{"success":true,"data":[{"id":"')
    assert response.content.endswith(b'}],"message":null}')
    assert response.headers["x-total-count"] == "1"


async def test_id_prefix(client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser) -> None:
    target = await insert_task(db, user)
    others = [await insert_task(db, user) for _ in range(5)]
    for prefix in (target[:4], target[:8], target[:13], target[:16].upper(), target):
        ids, total = await listed(client, user, id=prefix)
        assert target in ids, prefix
        assert (
            total == len(ids) == len([t for t in [target, *others] if t.startswith(prefix.lower())])
        )
    unused = next(
        f"{n:04x}"
        for n in range(0x10000)
        if not any(t.startswith(f"{n:04x}") for t in [target, *others])
    )
    assert await listed(client, user, id=unused) == ([], 0)


@pytest.mark.parametrize(
    "prefix",
    ["abc", "zzzz", "12345678_", "1234-5678", "3f2a9c1b-07a1-4000-8000-0000000000000", "%%%%"],
)
async def test_a_bad_id_prefix_is_400(
    client: httpx.AsyncClient, user: AppUser, prefix: str
) -> None:
    response = await client.get(f"{API}/tasks", params={"id": prefix}, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for id: must be")


async def test_the_id_prefix_rule_is_published_as_the_parameters_pattern(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    """A client (or a fuzzer) reading the document knows which prefixes are accepted: values
    matching the published pattern are, the others are refused, with nothing in between."""
    document = (await client.get("/api-docs/openapi.json")).json()
    parameter = next(
        p for p in document["paths"]["/tasks"]["get"]["parameters"] if p["name"] == "id"
    )
    pattern = re.compile(parameter["schema"]["anyOf"][0]["pattern"])
    candidates = ["3f2a", "3F2A9C1B", "3f2a9c1b-", "3f2a9c1b-07aa-1", "3f2a9c1b-07aa-1234-a"]
    candidates += ["3f2", "3f2a-", "3f2a9c1b07", "3f2a9c1b-07aa-1234-abcd-0123456789abc", "x3f2a"]
    for prefix in candidates:
        response = await client.get(f"{API}/tasks", params={"id": prefix}, headers=user.headers)
        assert (response.status_code == 200) is bool(pattern.fullmatch(prefix)), prefix


async def test_created_range(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    old = await insert_task(db, user, created_at_offset_secs=-7200)
    middle = await insert_task(db, user, created_at_offset_secs=-3600)
    new = await insert_task(db, user)
    at = await db.fetchval("SELECT created_at FROM tasks WHERE id = $1", uuid.UUID(middle))
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    # created_after is inclusive, created_before exclusive.
    assert await listed(client, user, created_after=stamp) == ([middle, new], 2)
    assert await listed(client, user, created_before=stamp) == ([old], 1)
    window = {"created_after": stamp, "created_before": (at + timedelta(seconds=1)).isoformat()}
    assert await listed(client, user, **window) == ([middle], 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_after", "yesterday"),
        ("created_before", "2026-13-01T00:00:00Z"),
        ("created_after", "2026-01-01T00:00:00"),  # no offset
        ("created_before", "1700000000"),
    ],
)
async def test_a_bad_date_is_400_naming_it(
    client: httpx.AsyncClient, user: AppUser, field: str, value: str
) -> None:
    response = await client.get(f"{API}/tasks", params={field: value}, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith(f"Validation failed for {field}:")


async def test_text_search_in_payload_and_last_error(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    mailed = await insert_task(db, user, created_at_offset_secs=-3)
    await set_task(db, mailed, payload={"to": "Grace.Hopper@example.com", "subject": "hello"})
    broken = await insert_task(db, user, status="failed", last_error="TimeoutError: step 3")
    plain = await insert_task(db, user, created_at_offset_secs=-1)
    await set_task(db, plain, payload={"n": 42})
    assert await listed(client, user, q="grace.hopper") == ([mailed], 1)
    assert await listed(client, user, q="timeouterror") == ([broken], 1)
    assert await listed(client, user, q="42") == ([plain], 1)
    assert await listed(client, user, q="TimeoutError", status="pending") == ([], 0)
    # A key of the payload is text of its JSON too.
    assert await listed(client, user, q='"subject"') == ([mailed], 1)
    # An empty q is no filter.
    assert (await listed(client, user, q=""))[1] == 3


async def test_like_wildcards_in_the_text_match_themselves(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    percent = await insert_task(db, user, last_error="disk 100% full", created_at_offset_secs=-2)
    underscore = await insert_task(db, user, last_error="bad a_b value", created_at_offset_secs=-1)
    backslash = await insert_task(db, user, last_error="path C:\\temp")
    await insert_task(db, user, last_error="disk 1000 full; axb")
    assert await listed(client, user, q="100%") == ([percent], 1)
    assert await listed(client, user, q="a_b") == ([underscore], 1)
    assert await listed(client, user, q="%") == ([percent], 1)
    assert await listed(client, user, q="C:\\t") == ([backslash], 1)


async def test_text_longer_than_200_characters_is_400(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    assert (await listed(client, user, q="x" * 200)) == ([], 0)
    response = await client.get(f"{API}/tasks", params={"q": "x" * 201}, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for q:")


async def test_sort_keys_and_their_reverse(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    rows = [
        ("normal", "running", -50),
        ("low", "completed", -40),
        ("critical", "pending", -30),
        ("high", "failed", -20),
        ("critical", "completed", -10),
    ]
    made = [
        await insert_task(db, user, priority=p, status=s, created_at_offset_secs=o)
        for p, s, o in rows
    ]
    a, b, c, d, e = made
    expected = {
        "created_at": [a, b, c, d, e],
        "priority": [b, a, d, e, c],  # low first; ties newest first (the reverse of the default)
        "-priority": [c, e, d, a, b],  # the default order: critical first, then oldest
        "status": [b, e, d, c, a],  # alphabetical; ties oldest first
    }
    for key, ids in expected.items():
        assert await listed(client, user, sort=key) == (ids, 5), key
        reverse = key[1:] if key.startswith("-") else f"-{key}"
        assert await listed(client, user, sort=reverse) == (ids[::-1], 5), reverse
    assert (await listed(client, user))[0] == expected["-priority"]
    assert await listed(client, user, sort="created_at", limit=2, offset=1) == ([b, c], 5)


@pytest.mark.parametrize("sort", ["name", "created", "--priority", "priority,status", ""])
async def test_an_unknown_sort_key_is_400(
    client: httpx.AsyncClient, user: AppUser, sort: str
) -> None:
    response = await client.get(f"{API}/tasks", params={"sort": sort}, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for sort:")


async def test_browsers_may_read_the_total(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(
        f"{API}/tasks", headers={**user.headers, "Origin": "https://console.example"}
    )
    assert response.status_code == 200
    exposed = response.headers["access-control-expose-headers"].lower().split(", ")
    assert "x-total-count" in exposed


async def test_the_openapi_document_declares_the_header(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api-docs/openapi.json")).json()
    for path in ("/tasks", "/tasks/dead-letter"):
        ok = document["paths"][path]["get"]["responses"]["200"]
        assert ok["headers"]["X-Total-Count"]["schema"] == {"type": "integer", "minimum": 0}
        assert "application/json" in ok["content"]
    parameters = {p["name"] for p in document["paths"]["/tasks"]["get"]["parameters"]}
    assert {"id", "created_after", "created_before", "q", "sort", "task_type"} <= parameters
