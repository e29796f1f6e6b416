"""POST/GET /monitoring/metrics: name ownership, limits, shape errors, filters (docs/monitoring.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

METRICS = "/api/v1/monitoring/metrics"
GENERIC = [
    "http_requests", "http_requests_total", "response_time", "response_time_seconds",
    "cpu_usage", "memory_usage", "disk_usage", "network_bytes", "error_rate", "latency",
    "throughput", "requests_per_second", "active_connections", "queue_size",
]  # fmt: skip


async def submit(
    client: httpx.AsyncClient, who: AppUser, name: str = "cpu_usage", **fields: Any
) -> httpx.Response:
    body = {"name": name, "metric_type": "gauge", "value": 75.5, **fields}
    return await client.post(METRICS, json=body, headers=who.headers)


async def test_create_metric_echo(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await submit(
        client, user, labels={"host": "a"}, recorded_at="2024-03-01T12:00:00+02:00"
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["name"], data["metric_type"], data["value"]) == ("cpu_usage", "gauge", 75.5)
    assert data["labels"] == {"host": "a"}
    assert data["recorded_at"] == "2024-03-01T10:00:00.000000Z"


async def test_edge_values_accepted(client: httpx.AsyncClient, user: AppUser) -> None:
    for value in (0, 1, -1, 1e10, -1e10, 1e-10, -1e-10):
        response = await submit(client, user, value=value)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["value"] == value


async def test_generic_prefixes_allowed_for_users(client: httpx.AsyncClient, user: AppUser) -> None:
    for name in [*GENERIC, "cpu_usage_edge_0", "latency_p99"]:
        assert (await submit(client, user, name)).status_code == 200, name


async def test_reserved_prefixes_denied_for_users(client: httpx.AsyncClient, user: AppUser) -> None:
    for name in ("system_load", "health_ok", "monitoring_x"):
        assert_error(
            await submit(client, user, name),
            403,
            "FORBIDDEN",
            "Users can only create metrics with names they own. "
            f"Metric '{name}' is not authorized for user '{user.username}'",
        )


async def test_own_names_allowed_others_denied(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    alice, bob = await make_user(), await make_user()
    for name in (f"{alice.username}_x", f"user_{alice.id}_x"):
        assert (await submit(client, alice, name)).status_code == 200, name
        assert (await submit(client, bob, name)).status_code == 403, name
    assert (await submit(client, alice, "custom_metric")).status_code == 403
    assert (await submit(client, alice, "plainname")).status_code == 403


async def test_moderator_may_use_reserved_names(
    client: httpx.AsyncClient, moderator: AppUser
) -> None:
    assert (await submit(client, moderator, "system_load")).status_code == 200


async def test_metric_limits(client: httpx.AsyncClient, moderator: AppUser) -> None:
    cases = [
        ({"name": "m" * 101}, "name: Metric name too long (max 100 characters)"),
        ({"labels": {f"k{i}": "v" for i in range(51)}}, "labels: Too many labels (max 50)"),
        ({"labels": {"k": "v" * 65_536}}, "labels: Labels JSON too large (max 64KB)"),
    ]
    for fields, message in cases:
        response = await submit(client, moderator, **fields)
        assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for {message}")
    assert (await submit(client, moderator, "m" * 100)).status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"metric_type": "bogus"},
        {"labels": {"k": 1}},
        {"labels": {"k": None}},
        {"value": "5"},
        {"value": True},
        {"recorded_at": "2024-01-01T00:00:00"},
    ],
)
async def test_shape_errors_are_422(
    client: httpx.AsyncClient, user: AppUser, fields: dict[str, Any]
) -> None:
    assert_error(await submit(client, user, **fields), 422, "VALIDATION_FAILED")


async def test_invalid_type_is_422_before_ownership(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    assert_error(
        await submit(client, user, "system_x", metric_type="bogus"), 422, "VALIDATION_FAILED"
    )


async def test_list_metrics_filters(client: httpx.AsyncClient, user: AppUser) -> None:
    await submit(client, user, "cpu_usage", recorded_at="2024-01-01T00:00:00Z")
    await submit(
        client, user, "cpu_usage", metric_type="counter", recorded_at="2024-01-02T00:00:00Z"
    )
    await submit(client, user, "latency", recorded_at="2024-01-03T00:00:00Z")

    async def names(**params: Any) -> list[str]:
        response = await client.get(METRICS, params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        return [m["name"] + "@" + m["recorded_at"][:10] for m in response.json()["data"]]

    assert await names() == ["latency@2024-01-03", "cpu_usage@2024-01-02", "cpu_usage@2024-01-01"]
    assert await names(name="cpu_usage") == ["cpu_usage@2024-01-02", "cpu_usage@2024-01-01"]
    assert await names(metric_type="counter") == ["cpu_usage@2024-01-02"]
    assert await names(start_time="2024-01-02T00:00:00Z", end_time="2024-01-02T00:00:00Z") == [
        "cpu_usage@2024-01-02"
    ]
    assert await names(limit=1, offset=1) == ["cpu_usage@2024-01-02"]


async def test_list_metrics_rejects_bad_params(client: httpx.AsyncClient, user: AppUser) -> None:
    for params, field in (
        ({"metric_type": "bogus"}, "metric_type"),
        ({"limit": 1001}, "limit"),
        ({"offset": -5}, "offset"),
    ):
        response = await client.get(METRICS, params=params, headers=user.headers)
        assert_error(response, 400, "VALIDATION_FAILED")
        assert response.json()["error"]["message"].startswith(f"Validation failed for {field}")
