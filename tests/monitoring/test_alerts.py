"""Alert CRUD: the query is parsed into a stored rule; writes are moderator+ (docs/monitoring.md)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx

from tests.monitoring.alert_fixtures import evaluate_alerts
from tests.support.errors import assert_error
from tests.support.users import AppUser

ALERTS = "/api/v1/monitoring/alerts"
GATE = "Access denied: moderator role or higher required"
ALERT_FIELDS = {
    "id", "name", "description", "query", "threshold_value", "status", "triggered_at",
    "resolved_at", "created_by", "created_at", "updated_at", "firing", "last_value",
    "last_evaluated_at", "open_incident", "incident_severity", "incident_id",
}  # fmt: skip


async def create_alert(client: httpx.AsyncClient, who: AppUser, **fields: Any) -> httpx.Response:
    body = {"name": "High CPU", "query": "metric cpu_usage avg over 5m", "threshold_value": 80}
    return await client.post(ALERTS, json={**body, **fields}, headers=who.headers)


async def test_moderator_creates_alert_and_rule_is_stored(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    response = await create_alert(client, moderator, description="cpu", open_incident=True)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert set(data) == ALERT_FIELDS
    assert data["status"] == "active" and data["created_by"] == moderator.id
    assert data["threshold_value"] == 80.0 and data["firing"] is False
    assert data["open_incident"] is True and data["incident_severity"] == "high"
    assert data["triggered_at"] is None and data["incident_id"] is None
    rule = await db.fetchval("SELECT rule FROM alerts WHERE id = $1", uuid.UUID(data["id"]))
    assert rule["kind"] == "metric" and rule["name"] == "cpu_usage"
    assert rule["window_seconds"] == 300


async def test_plain_query_is_the_latest_value(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    response = await create_alert(client, moderator, query="cpu_usage > 80", threshold_value=None)
    assert response.status_code == 200, response.text
    alert = response.json()["data"]
    assert alert["query"] == "cpu_usage > 80"
    rule = await db.fetchval("SELECT rule FROM alerts WHERE id = $1", uuid.UUID(alert["id"]))
    assert (rule["name"], rule["aggregation"]) == ("cpu_usage", "last")
    assert rule["comparison"] == {"op": ">", "threshold": 80.0}
    await db.execute(
        "INSERT INTO metrics (name, metric_type, value) VALUES ('cpu_usage', 'gauge', 91)"
    )
    assert (await evaluate_alerts(db)).outcomes[0].change == "fired"
    bad = await create_alert(client, moderator, query="cpu_usage > lots")
    assert_error(
        bad,
        400,
        "VALIDATION_FAILED",
        "Validation failed for query: expected a number after '>', got 'lots' at position 13",
    )


async def test_user_cannot_create(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await create_alert(client, user), 403, "FORBIDDEN", GATE)


async def test_unparseable_query_is_400_naming_the_problem(
    client: httpx.AsyncClient, admin: AppUser
) -> None:
    response = await create_alert(client, admin, query="SELECT * FROM users")
    assert_error(response, 400, "VALIDATION_FAILED")
    message = response.json()["error"]["message"]
    assert message.startswith("Validation failed for query: ")
    assert "SELECT" in message


async def test_threshold_required_without_comparison(
    client: httpx.AsyncClient, admin: AppUser
) -> None:
    response = await create_alert(client, admin, threshold_value=None)
    assert_error(
        response,
        400,
        "VALIDATION_FAILED",
        "Validation failed for threshold_value: required unless the query ends with a comparison",
    )
    ok = await create_alert(client, admin, threshold_value=None, query="tasks failed count > 5")
    assert ok.status_code == 200, ok.text


async def test_shape_errors(client: httpx.AsyncClient, admin: AppUser) -> None:
    for fields in ({"incident_severity": "huge"}, {"open_incident": "yes"}, {"query": 5}):
        assert_error(await create_alert(client, admin, **fields), 422, "VALIDATION_FAILED")


async def test_list_and_get_for_any_user(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    first = (await create_alert(client, moderator, name="a")).json()["data"]
    second = (await create_alert(client, moderator, name="b")).json()["data"]
    listing = await client.get(ALERTS, headers=user.headers)
    assert [a["id"] for a in listing.json()["data"]] == [second["id"], first["id"]]
    got = await client.get(f"{ALERTS}/{first['id']}", headers=user.headers)
    assert got.json()["data"] == first
    missing = await client.get(f"{ALERTS}/{uuid.uuid4()}", headers=user.headers)
    assert_error(missing, 404, "NOT_FOUND", "Alert not found")


async def test_update_alert(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    alert = (await create_alert(client, moderator)).json()["data"]
    url = f"{ALERTS}/{alert['id']}"
    response = await client.put(
        url,
        json={
            "name": "Errors",
            "query": "events level=error count over 10m >= 3",
            "status": "silenced",
            "incident_severity": "critical",
        },
        headers=moderator.headers,
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["name"], data["status"], data["incident_severity"]) == (
        "Errors", "silenced", "critical"
    )  # fmt: skip
    assert data["query"] == "events level=error count over 10m >= 3"
    assert data["threshold_value"] == 80.0 and data["description"] is None
    rule = await db.fetchval("SELECT rule FROM alerts WHERE id = $1", uuid.UUID(alert["id"]))
    assert rule["kind"] == "events"


async def test_update_rejects_bad_query_and_keeps_old(
    client: httpx.AsyncClient, moderator: AppUser
) -> None:
    alert = (await create_alert(client, moderator)).json()["data"]
    url = f"{ALERTS}/{alert['id']}"
    bad = await client.put(url, json={"query": "metric"}, headers=moderator.headers)
    assert_error(bad, 400, "VALIDATION_FAILED")
    assert bad.json()["error"]["message"].startswith("Validation failed for query: ")
    assert (await client.get(url, headers=moderator.headers)).json()["data"]["query"] == alert[
        "query"
    ]


async def test_manual_resolve_stamps_resolved_at(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    alert = (await create_alert(client, moderator)).json()["data"]
    await db.execute(
        "UPDATE alerts SET firing = TRUE, triggered_at = NOW() WHERE id = $1",
        uuid.UUID(alert["id"]),
    )
    url = f"{ALERTS}/{alert['id']}"
    data = (await client.put(url, json={"status": "resolved"}, headers=moderator.headers)).json()[
        "data"
    ]
    assert data["status"] == "resolved" and data["firing"] is False
    assert data["resolved_at"] is not None


async def test_user_cannot_update_or_delete(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    alert = (await create_alert(client, moderator)).json()["data"]
    url = f"{ALERTS}/{alert['id']}"
    assert_error(
        await client.put(url, json={"name": "x"}, headers=user.headers), 403, "FORBIDDEN", GATE
    )
    assert_error(await client.delete(url, headers=user.headers), 403, "FORBIDDEN", GATE)


async def test_delete_alert(client: httpx.AsyncClient, admin: AppUser) -> None:
    alert = (await create_alert(client, admin)).json()["data"]
    url = f"{ALERTS}/{alert['id']}"
    response = await client.delete(url, headers=admin.headers)
    assert response.status_code == 200 and response.json()["data"] == "Alert deleted successfully"
    assert_error(await client.get(url, headers=admin.headers), 404, "NOT_FOUND", "Alert not found")
    assert_error(
        await client.delete(url, headers=admin.headers), 404, "NOT_FOUND", "Alert not found"
    )
    assert_error(
        await client.put(url, json={"name": "x"}, headers=admin.headers),
        404,
        "NOT_FOUND",
        "Alert not found",
    )
