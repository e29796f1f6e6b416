"""Authorization matrix: every monitoring endpoint × {anonymous, user (owner), other user,
moderator, admin} → expected status, in one table."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.users import AppUser, MakeUser

ROLES = ("anonymous", "owner", "other", "moderator", "admin")
M = "/api/v1/monitoring"
ALERT = {"name": "a", "query": "metric cpu_usage avg over 5m", "threshold_value": 1}


@dataclass
class World:
    users: dict[str, AppUser]
    event_id: str
    incident_id: str
    alert_id: str
    db: asyncpg.Connection

    async def fresh_alert(self) -> str:
        return str(
            await self.db.fetchval(
                "INSERT INTO alerts (name, query) VALUES ('x', 'q') RETURNING id"
            )
        )


Path = str | Callable[[World], Awaitable[str]]


def at(template: str) -> Callable[[World], Awaitable[str]]:
    async def build(world: World) -> str:
        return template.format(
            event=world.event_id, incident=world.incident_id, alert=world.alert_id
        )

    return build


async def deletable_alert(world: World) -> str:
    return f"{M}/alerts/{await world.fresh_alert()}"


OPEN = (401, 200, 200, 200, 200)
MODERATOR = (401, 403, 403, 200, 200)
# (method, path, body, expected status for each of ROLES)
MATRIX: list[tuple[str, Path, dict[str, Any] | None, tuple[int, ...]]] = [
    ("GET", f"{M}/events", None, OPEN),
    ("POST", f"{M}/events", {"event_type": "log", "source": "app-x"}, OPEN),
    ("POST", f"{M}/events/batch", {"events": [{"event_type": "log", "source": "app-x"}]}, OPEN),
    ("GET", at(M + "/events/{event}"), None, OPEN),
    ("GET", f"{M}/metrics", None, OPEN),
    ("POST", f"{M}/metrics", {"name": "cpu_usage", "metric_type": "gauge", "value": 1}, OPEN),
    (
        "POST",
        f"{M}/metrics/batch",
        {"metrics": [{"name": "cpu_usage", "metric_type": "gauge", "value": 1}]},
        OPEN,
    ),
    ("GET", f"{M}/metrics/prometheus", None, (200, 200, 200, 200, 200)),
    ("GET", f"{M}/stats", None, MODERATOR),
    ("GET", f"{M}/alerts", None, OPEN),
    ("POST", f"{M}/alerts", ALERT, MODERATOR),
    ("GET", at(M + "/alerts/{alert}"), None, OPEN),
    ("PUT", at(M + "/alerts/{alert}"), {"name": "b"}, MODERATOR),
    ("DELETE", deletable_alert, None, MODERATOR),
    ("GET", f"{M}/incidents", None, OPEN),
    ("POST", f"{M}/incidents", {"title": "t", "severity": "low"}, OPEN),
    ("GET", at(M + "/incidents/{incident}"), None, OPEN),
    (
        "PUT",
        at(M + "/incidents/{incident}"),
        {"status": "investigating"},
        (401, 200, 403, 200, 200),
    ),
    ("GET", at(M + "/incidents/{incident}/timeline"), None, OPEN),
]


@pytest.fixture
async def world(client: httpx.AsyncClient, make_user: MakeUser, db: asyncpg.Connection) -> World:
    users = {
        "owner": await make_user("user"),
        "other": await make_user("user"),
        "moderator": await make_user("moderator"),
        "admin": await make_user("admin"),
    }
    event_id = await db.fetchval(
        "INSERT INTO events (event_type, source) VALUES ('log', 'x') RETURNING id"
    )
    incident = await client.post(
        f"{M}/incidents", json={"title": "t", "severity": "low"}, headers=users["owner"].headers
    )
    alert = await client.post(f"{M}/alerts", json=ALERT, headers=users["moderator"].headers)
    return World(
        users, str(event_id), incident.json()["data"]["id"], alert.json()["data"]["id"], db
    )


@pytest.mark.parametrize("role", ROLES)
async def test_authorization_matrix(client: httpx.AsyncClient, world: World, role: str) -> None:
    headers = {} if role == "anonymous" else world.users[role].headers
    column = ROLES.index(role)
    mismatches = []
    for method, path, body, expected in MATRIX:
        url = path if isinstance(path, str) else await path(world)
        response = await client.request(method, url, json=body, headers=headers)
        if response.status_code != expected[column]:
            mismatches.append((method, url, expected[column], response.status_code, response.text))
    assert mismatches == []


async def test_assigning_on_create_is_moderator_only(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"title": "t", "severity": "low", "assigned_to": world.users["other"].id}
    got = {}
    for role in ROLES:
        headers = {} if role == "anonymous" else world.users[role].headers
        got[role] = (await client.post(f"{M}/incidents", json=body, headers=headers)).status_code
    assert got == {"anonymous": 401, "owner": 403, "other": 403, "moderator": 200, "admin": 200}


async def test_unknown_ids_are_404_for_everyone_authenticated(
    client: httpx.AsyncClient, world: World
) -> None:
    missing = uuid.uuid4()
    for role in ROLES[1:]:
        headers = world.users[role].headers
        for path in (f"events/{missing}", f"incidents/{missing}", f"alerts/{missing}"):
            response = await client.get(f"{M}/{path}", headers=headers)
            assert response.status_code == 404, (role, path)
