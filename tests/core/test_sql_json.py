"""The database renders response models byte for byte as pydantic does (core/sql_json.py)."""

from __future__ import annotations

import asyncio
import enum
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, TypeAdapter, computed_field

from starter.auth.schemas import UserProfile
from starter.core.envelope import Timestamp
from starter.core.sql_json import json_array_sql, json_object_sql
from tests.conftest import AppUser, MakeUser


class Color(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class Sample(BaseModel):
    id: uuid.UUID
    name: str
    flag: bool
    count: int
    role: Literal["user", "admin"]
    color: Color
    at: Timestamp
    maybe: Timestamp | None
    note: str | None
    renamed: int = Field(serialization_alias="shown_as")


SAMPLES = TypeAdapter(list[Sample])
COLUMNS = "id, name, flag, count, role, color, at, maybe, note, renamed, n"
TYPES = (
    "uuid[], text[], bool[], int8[], text[], text[], timestamptz[], timestamptz[], text[], int8[]"
)
SAMPLE_PAGE = json_array_sql(
    Sample,
    "SELECT * FROM unnest("
    + ", ".join(f"${i}::{t.strip()}" for i, t in enumerate(TYPES.split(","), start=1))
    + f") WITH ORDINALITY AS t({COLUMNS})",
    "n",
)

texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30)
moments = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
    ),
)
samples = st.builds(
    Sample,
    id=st.uuids(),
    name=texts,
    flag=st.booleans(),
    count=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    role=st.sampled_from(["user", "admin"]),
    color=st.sampled_from(Color),
    at=moments,
    maybe=st.none() | moments,
    note=st.none() | texts,
    renamed=st.integers(min_value=-(2**31), max_value=2**31),
)


async def _render(url: str, rows: list[Sample]) -> str:
    columns = [
        [r.id for r in rows],
        [r.name for r in rows],
        [r.flag for r in rows],
        [r.count for r in rows],
        [r.role for r in rows],
        [r.color.value for r in rows],
        [r.at for r in rows],
        [r.maybe for r in rows],
        [r.note for r in rows],
        [r.renamed for r in rows],
    ]
    conn = await asyncpg.connect(url)
    try:
        rendered: str = await conn.fetchval(SAMPLE_PAGE, *columns)
    finally:
        await conn.close()
    return rendered


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(samples, max_size=8))
def test_database_rendering_matches_pydantic(database_url: str, rows: list[Sample]) -> None:
    rendered = asyncio.run(_render(database_url, rows))
    assert rendered.encode() == SAMPLES.dump_json(rows, by_alias=True)


async def test_zero_fraction_and_empty_page(database_url: str) -> None:
    exact = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    row = Sample(
        id=uuid.UUID(int=1),
        name='quote " back \\ nl \n',
        flag=False,
        count=0,
        role="admin",
        color=Color.RED,
        at=exact,
        maybe=None,
        note=None,
        renamed=7,
    )
    rendered = await _render(database_url, [row])
    assert '"at":"2025-01-02T03:04:05.000000Z","maybe":null' in rendered
    assert '"shown_as":7' in rendered
    assert rendered.encode() == SAMPLES.dump_json([row], by_alias=True)
    assert await _render(database_url, []) == "[]"


class Nested(BaseModel):
    x: int


class WithComputed(BaseModel):
    x: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def doubled(self) -> int:
        return self.x * 2


@pytest.mark.parametrize(
    "annotation", [float, dict[str, int], list[int], datetime, Nested, int | str, Any]
)
def test_types_the_database_could_render_differently_are_refused(annotation: Any) -> None:
    model = type("Odd", (BaseModel,), {"__annotations__": {"value": annotation}})
    with pytest.raises(TypeError, match=r"Odd\.value"):
        json_object_sql(model)


def test_computed_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="computed"):
        json_object_sql(WithComputed)


async def test_user_list_is_what_pydantic_renders_for_the_same_rows(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser, admin: AppUser
) -> None:
    for _ in range(3):
        await make_user("user")
    await db.execute("UPDATE users SET last_login_at = date_trunc('second', NOW())")  # .000000
    response = await client.get("/api/v1/users?limit=3&offset=1", headers=admin.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    rows = await db.fetch(
        """SELECT id, username, email, role, is_active, email_verified, created_at, last_login_at
           FROM users WHERE is_active ORDER BY created_at DESC, id LIMIT 3 OFFSET 1"""
    )
    profiles = [UserProfile.model_validate(dict(row)) for row in rows]
    expected = TypeAdapter(list[UserProfile]).dump_json(profiles)
    assert response.content == b'{"success":true,"data":%s,"message":null}' % expected
