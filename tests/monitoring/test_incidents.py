"""Incidents: create (assignment rules), list, get, update (who, COALESCE, resolved_at),
timeline window (docs/monitoring.md)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

INCIDENTS = "/api/v1/monitoring/incidents"


async def open_incident(client: httpx.AsyncClient, who: AppUser, **fields: Any) -> dict[str, Any]:
    body = {"title": "Checkout errors", "severity": "high", **fields}
    response = await client.post(INCIDENTS, json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_create_incident(client: httpx.AsyncClient, user: AppUser) -> None:
    data = await open_incident(client, user, description="500s on /pay")
    assert data["status"] == "open" and data["severity"] == "high"
    assert data["created_by"] == user.id and data["assigned_to"] is None
    assert data["resolved_at"] is None and data["root_cause"] is None
    assert data["description"] == "500s on /pay"
    assert data["started_at"].endswith("Z")


async def test_empty_title_allowed(client: httpx.AsyncClient, user: AppUser) -> None:
    assert (await open_incident(client, user, title=""))["title"] == ""


async def test_severity_required_and_enum(client: httpx.AsyncClient, user: AppUser) -> None:
    for body in ({"title": "x"}, {"title": "x", "severity": "urgent"}, {"severity": "low"}):
        response = await client.post(INCIDENTS, json=body, headers=user.headers)
        assert_error(response, 422, "VALIDATION_FAILED")


async def test_assignment_requires_moderator(
    client: httpx.AsyncClient, user: AppUser, moderator: AppUser
) -> None:
    response = await client.post(
        INCIDENTS,
        json={"title": "x", "severity": "low", "assigned_to": moderator.id},
        headers=user.headers,
    )
    assert_error(response, 403, "FORBIDDEN", "Moderator access required")
    data = await open_incident(client, moderator, assigned_to=user.id)
    assert data["assigned_to"] == user.id


async def test_unknown_assignee_is_400(client: httpx.AsyncClient, admin: AppUser) -> None:
    response = await client.post(
        INCIDENTS,
        json={"title": "x", "severity": "low", "assigned_to": str(uuid.uuid4())},
        headers=admin.headers,
    )
    assert_error(
        response, 400, "VALIDATION_FAILED", "Validation failed for assigned_to: User not found"
    )


async def test_list_and_get(client: httpx.AsyncClient, user: AppUser, make_user: MakeUser) -> None:
    first = await open_incident(client, user, title="first")
    second = await open_incident(client, user, title="second")
    other = await make_user()
    response = await client.get(INCIDENTS, headers=other.headers)
    assert [i["id"] for i in response.json()["data"]] == [second["id"], first["id"]]
    page = await client.get(INCIDENTS, params={"limit": 1, "offset": 1}, headers=other.headers)
    assert [i["id"] for i in page.json()["data"]] == [first["id"]]
    got = await client.get(f"{INCIDENTS}/{first['id']}", headers=other.headers)
    assert got.json()["data"] == first
    missing = await client.get(f"{INCIDENTS}/{uuid.uuid4()}", headers=user.headers)
    assert_error(missing, 404, "NOT_FOUND", "Incident not found")


async def test_list_rejects_negative_paging(client: httpx.AsyncClient, user: AppUser) -> None:
    for params in ({"limit": -1}, {"offset": -1}):
        response = await client.get(INCIDENTS, params=params, headers=user.headers)
        assert_error(response, 400, "VALIDATION_FAILED")


async def test_creator_updates_other_user_cannot(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    creator, other = await make_user(), await make_user()
    incident = await open_incident(client, creator)
    url = f"{INCIDENTS}/{incident['id']}"
    denied = await client.put(url, json={"status": "closed"}, headers=other.headers)
    assert_error(denied, 403, "FORBIDDEN", "Cannot update this incident")
    response = await client.put(
        url, json={"status": "investigating", "root_cause": "bad deploy"}, headers=creator.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "investigating" and data["root_cause"] == "bad deploy"
    assert data["title"] == incident["title"] and data["severity"] == incident["severity"]


async def test_moderator_updates_any(
    client: httpx.AsyncClient, user: AppUser, moderator: AppUser, admin: AppUser
) -> None:
    incident = await open_incident(client, user)
    url = f"{INCIDENTS}/{incident['id']}"
    assert (await client.put(url, json={"severity": "low"}, headers=moderator.headers)).json()[
        "data"
    ]["severity"] == "low"
    assert (await client.put(url, json={"title": "t2"}, headers=admin.headers)).status_code == 200


async def test_null_and_absent_fields_leave_values(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    incident = await open_incident(client, user, description="d")
    url = f"{INCIDENTS}/{incident['id']}"
    response = await client.put(
        url, json={"description": None, "title": None}, headers=user.headers
    )
    data = response.json()["data"]
    assert data["description"] == "d" and data["title"] == incident["title"]


async def test_resolved_at_set_once_and_kept(client: httpx.AsyncClient, user: AppUser) -> None:
    incident = await open_incident(client, user)
    url = f"{INCIDENTS}/{incident['id']}"
    resolved = (await client.put(url, json={"status": "resolved"}, headers=user.headers)).json()
    stamp = resolved["data"]["resolved_at"]
    assert stamp is not None
    again = (await client.put(url, json={"status": "resolved"}, headers=user.headers)).json()
    assert again["data"]["resolved_at"] == stamp
    reopened = (await client.put(url, json={"status": "open"}, headers=user.headers)).json()
    assert reopened["data"]["status"] == "open" and reopened["data"]["resolved_at"] == stamp


async def test_creator_may_assign_on_update_but_assignee_must_exist(
    client: httpx.AsyncClient, user: AppUser, moderator: AppUser
) -> None:
    incident = await open_incident(client, user)
    url = f"{INCIDENTS}/{incident['id']}"
    response = await client.put(url, json={"assigned_to": moderator.id}, headers=user.headers)
    assert response.json()["data"]["assigned_to"] == moderator.id
    unknown = await client.put(url, json={"assigned_to": str(uuid.uuid4())}, headers=user.headers)
    assert_error(
        unknown, 400, "VALIDATION_FAILED", "Validation failed for assigned_to: User not found"
    )


async def test_update_missing_and_bad_enum(client: httpx.AsyncClient, moderator: AppUser) -> None:
    missing = await client.put(
        f"{INCIDENTS}/{uuid.uuid4()}", json={"status": "closed"}, headers=moderator.headers
    )
    assert_error(missing, 404, "NOT_FOUND", "Incident not found")
    incident = await open_incident(client, moderator)
    bad = await client.put(
        f"{INCIDENTS}/{incident['id']}", json={"status": "done"}, headers=moderator.headers
    )
    assert_error(bad, 422, "VALIDATION_FAILED")


async def test_create_and_update_record_events_and_notify(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection, database_url: str
) -> None:
    listener = await asyncpg.connect(database_url)
    heard: list[str] = []
    await listener.add_listener("starter_monitoring", lambda *args: heard.append(args[3]))
    try:
        incident = await open_incident(client, user, title="Disk full")
        await client.put(
            f"{INCIDENTS}/{incident['id']}", json={"status": "resolved"}, headers=user.headers
        )
        rows = await db.fetch(
            "SELECT source, event_type, message, tags FROM events ORDER BY recorded_at"
        )
        await listener.execute("SELECT 1")  # let pending notifications arrive
    finally:
        await listener.close()
    assert [(r["source"], r["event_type"]) for r in rows] == [("monitoring", "log")] * 2
    assert rows[0]["message"] == "Incident created: Disk full"
    assert rows[1]["tags"] == {
        "incident_id": incident["id"],
        "status": "resolved",
        "severity": "high",
    }
    incident_notes = [h for h in heard if '"incident"' in h]
    assert len(incident_notes) == 2 and '"status":"resolved"' in incident_notes[1].replace(" ", "")


async def test_timeline_window_order_and_count(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    incident = await open_incident(client, user)
    iid = uuid.UUID(incident["id"])
    await db.execute("UPDATE incidents SET started_at = '2024-06-01T12:00:00Z' WHERE id = $1", iid)
    await db.execute("DELETE FROM events")
    for stamp in (
        "2024-06-01T10:59:59Z",  # before a 1 h lookback
        "2024-06-01T11:00:00Z",  # exactly on the window start: included
        "2024-06-01T11:30:00Z",
        "2024-06-01T12:30:00Z",
    ):
        await db.execute(
            "INSERT INTO events (event_type, source, recorded_at) VALUES ('log', 'x', $1::text::timestamptz)",
            stamp,
        )
    url = f"{INCIDENTS}/{incident['id']}/timeline"
    data = (await client.get(url, headers=user.headers)).json()["data"]
    assert data["incident_id"] == incident["id"]
    assert data["start_time"] == "2024-06-01T12:00:00.000000Z" and data["end_time"] is None
    assert data["total_count"] == 3
    assert [e["recorded_at"][11:19] for e in data["entries"]] == [
        "11:00:00",
        "11:30:00",
        "12:30:00",
    ]
    assert data["entries"][0]["message"] == "" and data["entries"][0]["tags"] == {}
    wider = (await client.get(url, params={"lookback_hours": 2}, headers=user.headers)).json()
    assert wider["data"]["total_count"] == 4
    paged = await client.get(url, params={"limit": 1, "offset": 1}, headers=user.headers)
    assert paged.json()["data"]["total_count"] == 3
    assert [e["recorded_at"][11:19] for e in paged.json()["data"]["entries"]] == ["11:30:00"]


async def test_timeline_ends_at_resolution(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    incident = await open_incident(client, user)
    iid = uuid.UUID(incident["id"])
    await db.execute(
        """UPDATE incidents SET started_at = '2024-06-01T12:00:00Z',
           resolved_at = '2024-06-01T13:00:00Z', status = 'resolved' WHERE id = $1""",
        iid,
    )
    await db.execute("DELETE FROM events")
    for stamp in ("2024-06-01T13:00:00Z", "2024-06-01T13:00:01Z"):
        await db.execute(
            "INSERT INTO events (event_type, source, recorded_at) VALUES ('log', 'x', $1::text::timestamptz)",
            stamp,
        )
    data = (
        await client.get(f"{INCIDENTS}/{incident['id']}/timeline", headers=user.headers)
    ).json()["data"]
    assert data["end_time"] == "2024-06-01T13:00:00.000000Z"
    assert data["total_count"] == 1


async def test_timeline_errors(client: httpx.AsyncClient, user: AppUser) -> None:
    missing = await client.get(f"{INCIDENTS}/{uuid.uuid4()}/timeline", headers=user.headers)
    assert_error(missing, 404, "NOT_FOUND", "Incident not found")
    incident = await open_incident(client, user)
    url = f"{INCIDENTS}/{incident['id']}/timeline"
    for params in ({"lookback_hours": -1}, {"lookback_hours": "x"}, {"limit": -1}):
        assert_error(
            await client.get(url, params=params, headers=user.headers), 400, "VALIDATION_FAILED"
        )
