"""GET /monitoring/events filters: type, source, level, time range, tags, paging (docs/monitoring.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser

EVENTS = "/api/v1/monitoring/events"


async def seed(client: httpx.AsyncClient, who: AppUser, events: list[dict[str, Any]]) -> None:
    for body in events:
        response = await client.post(EVENTS, json=body, headers=who.headers)
        assert response.status_code == 200, response.text


async def listed(client: httpx.AsyncClient, who: AppUser, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(EVENTS, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


@pytest.fixture
async def tagged(client: httpx.AsyncClient, user: AppUser) -> AppUser:
    await seed(
        client,
        user,
        [
            {
                "event_type": "log",
                "source": "app-a",
                "level": "info",
                "tags": {"env": "prod", "team": "web"},
                "recorded_at": "2024-01-01T00:00:00Z",
            },
            {
                "event_type": "log",
                "source": "app-b",
                "level": "error",
                "tags": {"env": "prod", "team": "api"},
                "recorded_at": "2024-01-02T00:00:00Z",
            },
            {
                "event_type": "metric",
                "source": "app-a",
                "level": "info",
                "tags": {"env": "dev", "port": 8080},
                "recorded_at": "2024-01-03T00:00:00Z",
            },
        ],
    )
    return user


async def test_every_user_sees_all_events_newest_first(
    client: httpx.AsyncClient, tagged: AppUser, moderator: AppUser
) -> None:
    for who in (tagged, moderator):
        rows = await listed(client, who)
        assert [r["recorded_at"][:10] for r in rows] == ["2024-01-03", "2024-01-02", "2024-01-01"]


async def test_tag_filters_single_and_and_nonmatch(
    client: httpx.AsyncClient, tagged: AppUser
) -> None:
    assert len(await listed(client, tagged, tags="env:prod")) == 2
    assert [r["source"] for r in await listed(client, tagged, tags="env:prod,team:api")] == [
        "app-b"
    ]
    assert await listed(client, tagged, tags="env:staging") == []
    assert len(await listed(client, tagged, tags=" env : prod , ")) == 2
    assert len(await listed(client, tagged, tags="")) == 3


async def test_numeric_tag_values_never_match(client: httpx.AsyncClient, tagged: AppUser) -> None:
    assert await listed(client, tagged, tags="port:8080") == []


async def test_tag_value_with_sql_and_json_characters_is_data(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    nasty = "x\"}'); DROP TABLE events; --"
    await seed(client, user, [{"event_type": "log", "source": "app-a", "tags": {"k": nasty}}])
    rows = await listed(client, user, tags=f"k:{nasty}")
    assert [r["tags"] for r in rows] == [{"k": nasty}]


async def test_filters_by_type_source_level(client: httpx.AsyncClient, tagged: AppUser) -> None:
    assert [r["event_type"] for r in await listed(client, tagged, event_type="metric")] == [
        "metric"
    ]
    assert len(await listed(client, tagged, source="app-a")) == 2
    assert [r["source"] for r in await listed(client, tagged, level="error")] == ["app-b"]
    assert len(await listed(client, tagged, source="app-a", level="info", tags="env:dev")) == 1


async def test_time_bounds_are_inclusive(client: httpx.AsyncClient, tagged: AppUser) -> None:
    rows = await listed(
        client, tagged, start_time="2024-01-02T00:00:00Z", end_time="2024-01-03T00:00:00Z"
    )
    assert [r["recorded_at"][:10] for r in rows] == ["2024-01-03", "2024-01-02"]
    assert len(await listed(client, tagged, start_time="2024-01-02T00:00:00.000001Z")) == 1
    assert len(await listed(client, tagged, end_time="2024-01-01T00:00:00+00:00")) == 1


async def test_limit_and_offset(client: httpx.AsyncClient, tagged: AppUser) -> None:
    assert len(await listed(client, tagged, limit=2)) == 2
    rows = await listed(client, tagged, limit=2, offset=2)
    assert [r["recorded_at"][:10] for r in rows] == ["2024-01-01"]
    assert len(await listed(client, tagged, limit=1000)) == 3
    assert await listed(client, tagged, limit=0) == []


async def test_default_limit_is_100(client: httpx.AsyncClient, user: AppUser, db: Any) -> None:
    await db.execute(
        "INSERT INTO events (event_type, source) SELECT 'log', 'bulk' FROM generate_series(1, 105)"
    )
    assert len(await listed(client, user)) == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1001}, "limit"),
        ({"limit": -1}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "abc"}, "limit"),
        ({"event_type": "bogus"}, "event_type"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"end_time": "2024-01-01T00:00:00"}, "end_time"),
    ],
)
async def test_invalid_query_parameters_are_400(
    client: httpx.AsyncClient, user: AppUser, params: dict[str, Any], field: str
) -> None:
    response = await client.get(EVENTS, params=params, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith(f"Validation failed for {field}: ")


async def test_invalid_tag_filter_is_400(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(EVENTS, params={"tags": "invalid_format"}, headers=user.headers)
    assert_error(
        response,
        400,
        "VALIDATION_FAILED",
        "Validation failed for tags: Invalid tag format. "
        "Expected 'key:value' pairs separated by commas",
    )
