"""HTTP metrics middleware: route templates (no raw paths), statuses, on/off switch."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client import REGISTRY

from starter.app import create_app
from starter.core.config import MonitoringSettings
from starter.observability.http_metrics import UNMATCHED, HttpMetricsMiddleware
from tests.support.settings import make_settings
from tests.support.users import AppUser


def count(method: str, route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "http_requests_total", {"method": method, "route": route, "status": status}
    )
    return value or 0.0


def observations(method: str, route: str) -> float:
    value = REGISTRY.get_sample_value(
        "http_request_duration_seconds_count", {"method": method, "route": route}
    )
    return value or 0.0


async def test_requests_are_labelled_by_route_template(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    route = "/api/v1/monitoring/events/{id}"
    before_404, before_obs = count("GET", route, "404"), observations("GET", route)
    for _ in range(3):
        await client.get(f"/api/v1/monitoring/events/{uuid.uuid4()}", headers=user.headers)
    assert count("GET", route, "404") == before_404 + 3
    assert observations("GET", route) == before_obs + 3
    raw_paths = [
        s
        for family in REGISTRY.collect()
        if family.name == "http_requests"
        for s in family.samples
        if "{" not in s.labels.get("route", "{") and s.labels["route"].count("-") >= 4
    ]
    assert raw_paths == []


async def test_status_codes_are_separate_series(client: httpx.AsyncClient) -> None:
    route = "/api/v1/monitoring/events"
    before = count("GET", route, "401")
    await client.get(route)
    assert count("GET", route, "401") == before + 1


async def test_unmatched_paths_share_one_label(client: httpx.AsyncClient) -> None:
    before = count("GET", UNMATCHED, "404")
    await client.get(f"/api/v1/no-such-thing/{uuid.uuid4()}")
    await client.get(f"/api/v1/another/{uuid.uuid4()}")
    assert count("GET", UNMATCHED, "404") == before + 2


async def test_public_route_counted(client: httpx.AsyncClient) -> None:
    route = "/api/v1/monitoring/metrics/prometheus"
    before = count("GET", route, "200")
    await client.get(route)
    assert count("GET", route, "200") == before + 1


def test_middleware_can_be_switched_off(database_url: str) -> None:
    def installed(enabled: bool) -> bool:
        settings = make_settings(database_url, monitoring=MonitoringSettings(http_metrics=enabled))
        app = create_app(settings)
        return any(m.cls is HttpMetricsMiddleware for m in app.user_middleware)

    assert installed(True) and not installed(False)
