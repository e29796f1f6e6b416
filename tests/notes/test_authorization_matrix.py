"""Every /notes operation × {anonymous, owner, read-share, write-share, stranger, moderator, admin}.

Each cell gets a fresh private note (with one version) owned by `owner`, shared read-only with
`read_share`, with write permission with `write_share`, and read-only with a spare user (the
share the revoke row removes). Staff are strangers to a private note. Bodies are valid, so the
status reflects authorization only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.notes.conftest import URL, MakeNote, Share
from tests.support.users import AppUser, MakeUser

CALLERS = ("anonymous", "owner", "read_share", "write_share", "stranger", "moderator", "admin")
ERROR_CODES = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}

SIGNED_IN = (401, 200, 200, 200, 200, 200, 200)
READERS = (401, 200, 200, 200, 404, 404, 404)
WRITERS = (401, 200, 403, 200, 404, 404, 404)
OWNER = (401, 200, 403, 403, 404, 404, 404)


@dataclass
class Cell:
    users: dict[str, AppUser]
    note_id: str
    version_id: str


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: tuple[int, ...]
    body: Any = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


MATRIX = [
    Row("GET", "/notes", SIGNED_IN),
    Row("POST", "/notes", SIGNED_IN, {"title": "new"}),
    Row("GET", "/notes/shared", SIGNED_IN),
    Row("GET", "/notes/search?q=matrix", SIGNED_IN),
    Row("GET", "/notes/{id}", READERS),
    Row("PUT", "/notes/{id}", WRITERS, {"title": "t", "content": "changed"}),
    Row("PATCH", "/notes/{id}", WRITERS, {"content": "changed"}),
    Row("DELETE", "/notes/{id}", OWNER),
    Row("POST", "/notes/{id}/share", OWNER, "spare"),
    Row("DELETE", "/notes/{id}/share/{user_id}", OWNER),
    Row("GET", "/notes/{id}/shares", OWNER),
    Row("GET", "/notes/{id}/versions", READERS),
    Row("POST", "/notes/{id}/versions/{version_id}/restore", WRITERS),
]


async def _cell(
    client: httpx.AsyncClient, users: dict[str, AppUser], make_note: MakeNote, share: Share
) -> Cell:
    owner = users["owner"]
    note = await make_note(owner, title="matrix", content="first")
    patched = await client.patch(
        f"{URL}/{note['id']}", json={"content": "second"}, headers=owner.headers
    )
    assert patched.status_code == 200, patched.text
    await share(owner, note["id"], users["read_share"], "read")
    await share(owner, note["id"], users["write_share"], "write")
    await share(owner, note["id"], users["spare"], "read")
    versions = await client.get(f"{URL}/{note['id']}/versions", headers=owner.headers)
    return Cell(users, note["id"], versions.json()["data"][0]["id"])


def _mismatch(row: Row, caller: str, expected: int, response: httpx.Response) -> str | None:
    where = f"{caller:<11} {row.id}: expected {expected}, got {response.status_code}"
    if response.status_code != expected:
        return f"{where} {response.text[:160]}"
    body = response.json()
    if expected == 200:
        return None if body.get("success") is True else f"{where} but no success envelope"
    code = body.get("error", {}).get("code")
    return None if code == ERROR_CODES[expected] else f"{where} with code {code}"


@pytest.mark.parametrize("row", MATRIX, ids=[row.id for row in MATRIX])
async def test_notes_authorization_matrix(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote, share: Share, row: Row
) -> None:
    users = {
        name: await make_user(role)
        for name, role in (
            ("owner", "user"),
            ("read_share", "user"),
            ("write_share", "user"),
            ("stranger", "user"),
            ("spare", "user"),
            ("moderator", "moderator"),
            ("admin", "admin"),
        )
    }
    problems: list[str] = []
    for caller, expected in zip(CALLERS, row.expected, strict=True):
        cell = await _cell(client, users, make_note, share)
        path = "/api/v1" + row.path.format(
            id=cell.note_id, user_id=users["spare"].id, version_id=cell.version_id
        )
        body = (
            {"user_id": users["spare"].id, "permission": "write"}
            if row.body == "spare"
            else row.body
        )
        client.cookies.clear()
        response = await client.request(
            row.method,
            path,
            json=body,
            headers=users[caller].headers if caller != "anonymous" else {},
        )
        if problem := _mismatch(row, caller, expected, response):
            problems.append(problem)
    assert not problems, "\n".join(problems)


async def test_a_public_note_is_readable_but_not_writable_by_others(
    client: httpx.AsyncClient, make_user: MakeUser, make_note: MakeNote
) -> None:
    owner = await make_user()
    note = await make_note(owner, is_public=True)
    for role in ("user", "moderator", "admin"):
        other = await make_user(role)
        read = await client.get(f"{URL}/{note['id']}", headers=other.headers)
        versions = await client.get(f"{URL}/{note['id']}/versions", headers=other.headers)
        edit = await client.patch(
            f"{URL}/{note['id']}", json={"content": "x"}, headers=other.headers
        )
        delete = await client.delete(f"{URL}/{note['id']}", headers=other.headers)
        shares = await client.get(f"{URL}/{note['id']}/shares", headers=other.headers)
        statuses = [r.status_code for r in (read, versions, edit, delete, shares)]
        assert statuses == [200, 200, 403, 403, 403], (role, statuses)


def test_matrix_covers_every_notes_operation() -> None:
    from starter.app import create_app
    from starter.docs import build_openapi
    from tests.support.settings import make_settings

    document = build_openapi(create_app(make_settings("postgresql://unused@127.0.0.1:1/x")))
    operations = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if path.startswith("/notes")
    }
    assert operations == {row.id.split("?")[0] for row in MATRIX}
