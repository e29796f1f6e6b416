"""GET /monitoring/stats and the Prometheus export (docs/monitoring.md)."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.errors import assert_error
from tests.support.users import AppUser

STATS = "/api/v1/monitoring/stats"
PROMETHEUS = "/api/v1/monitoring/metrics/prometheus"


async def seed(db: asyncpg.Connection, creator: str) -> None:
    """3 events (1 old), 2 metrics (1 old), 2 alerts (1 active), 3 incidents (2 open-ish)."""
    await db.execute(
        """INSERT INTO events (event_type, source, created_at) VALUES
           ('log', 'a', NOW()), ('log', 'a', NOW()), ('log', 'a', NOW() - INTERVAL '2 hours')"""
    )
    await db.execute(
        """INSERT INTO metrics (name, metric_type, value, created_at) VALUES
           ('cpu_usage', 'gauge', 1, NOW()), ('cpu_usage', 'gauge', 2, NOW() - INTERVAL '3 hours')"""
    )
    await db.execute(
        "INSERT INTO alerts (name, query, status) VALUES ('a', 'q', 'active'), ('b', 'q', 'silenced')"
    )
    await db.execute(
        """INSERT INTO incidents (title, status, created_by) VALUES
           ('a', 'open', $1), ('b', 'investigating', $1), ('c', 'resolved', $1)""",
        uuid.UUID(creator),
    )


EXPECTED = {
    "total_events": 3,
    "total_metrics": 2,
    "active_alerts": 1,
    "open_incidents": 2,
    "events_last_hour": 2,
    "metrics_last_hour": 1,
}


async def test_stats_numbers(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    await seed(db, moderator.id)
    response = await client.get(STATS, headers=moderator.headers)
    assert response.status_code == 200
    assert response.json()["data"] == EXPECTED


async def test_stats_requires_moderator(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(STATS, headers=user.headers)
    assert_error(response, 403, "FORBIDDEN", "Access denied: moderator role or higher required")


async def test_prometheus_system_block_exact(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    await seed(db, moderator.id)
    response = await client.get(PROMETHEUS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    expected = (
        "# HELP monitoring_total_events Total number of events in the system\n"
        "# TYPE monitoring_total_events counter\nmonitoring_total_events 3\n\n"
        "# HELP monitoring_total_metrics Total number of metrics in the system\n"
        "# TYPE monitoring_total_metrics counter\nmonitoring_total_metrics 2\n\n"
        "# HELP monitoring_active_alerts Number of currently active alerts\n"
        "# TYPE monitoring_active_alerts gauge\nmonitoring_active_alerts 1\n\n"
        "# HELP monitoring_open_incidents Number of currently open incidents\n"
        "# TYPE monitoring_open_incidents gauge\nmonitoring_open_incidents 2\n\n"
        "# HELP monitoring_events_last_hour Number of events in the last hour\n"
        "# TYPE monitoring_events_last_hour gauge\nmonitoring_events_last_hour 2\n\n"
        "# HELP monitoring_metrics_last_hour Number of metrics in the last hour\n"
        "# TYPE monitoring_metrics_last_hour gauge\nmonitoring_metrics_last_hour 1\n\n"
    )
    assert response.text.startswith(expected)


async def test_prometheus_parses_and_carries_everything(
    client: httpx.AsyncClient, moderator: AppUser, db: asyncpg.Connection
) -> None:
    await client.get(f"/api/v1/monitoring/events/{uuid.uuid4()}", headers=moderator.headers)
    await db.execute(
        """INSERT INTO metrics (name, metric_type, value, labels, recorded_at) VALUES
           ('cpu_usage', 'gauge', 1.5, '{"host": "a\\"b\\\\c\\nd"}', NOW() - INTERVAL '1 minute'),
           ('cpu_usage', 'gauge', 9, '{"host": "a\\"b\\\\c\\nd"}', NOW() - INTERVAL '2 minutes'),
           ('cpu_usage', 'gauge', 2, '{"host": "z"}', NOW()),
           ('latency', 'histogram', 0.0000000001, '{}', NOW()),
           ('9bad.name-x', 'counter', 10000000000, '{"__r": "1", "a-b": 2, "ok": true}', NOW()),
           ('http_requests_total', 'counter', 7, '{}', NOW()),
           ('old_metric', 'gauge', 1, '{}', NOW() - INTERVAL '25 hours')"""
    )
    response = await client.get(PROMETHEUS)
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    names = list(families)
    assert len(names) == len(set(names)), "duplicate metric families"
    cpu = families["cpu_usage"]
    assert cpu.type == "gauge"
    # Latest sample per series only; label values escaped and parsed back.
    assert {(s.labels["host"], s.value) for s in cpu.samples} == {('a"b\\c\nd', 1.5), ("z", 2.0)}
    assert families["latency"].type == "unknown"
    assert families["latency"].samples[0].value == 1e-10
    sanitized = families["_9bad_name_x"]
    assert sanitized.samples[0].labels == {"_r": "1", "a_b": "2", "ok": "true"}
    assert sanitized.samples[0].value == 1e10
    # A stored user metric never collides with the app's own http_requests_total.
    assert "user_http_requests" in families
    assert "old_metric" not in families
    http = families["http_requests"]
    assert http.type == "counter"
    assert any(
        s.labels.get("route") == "/api/v1/monitoring/events/{id}" and s.labels["status"] == "404"
        for s in http.samples
    )
    assert "http_request_duration_seconds" in families
    assert "db_pool_connections_in_use" in families
    assert families["monitoring_total_metrics"].samples[0].value == 7


async def test_prometheus_is_public_and_ignores_bad_credentials(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(PROMETHEUS, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 200
    assert "# TYPE monitoring_total_events counter" in response.text
