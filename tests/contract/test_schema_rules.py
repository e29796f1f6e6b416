"""Requests are read as the OpenAPI document says: a date-time is RFC 3339 text, never a number
read as Unix time, and an integer is any whole JSON number (8.0 as well as 8)."""

from __future__ import annotations

import httpx

from tests.support.errors import assert_error
from tests.support.users import AppUser


async def test_a_number_is_not_a_date_time(client: httpx.AsyncClient, user: AppUser) -> None:
    listed = await client.get(
        "/api/v1/monitoring/events", params={"start_time": "0.5"}, headers=user.headers
    )
    assert_error(
        listed,
        400,
        "VALIDATION_FAILED",
        "Validation failed for start_time: input should be an RFC 3339 date-time",
    )
    event = {"event_type": "log", "source": "app-frontend", "recorded_at": 0}
    created = await client.post("/api/v1/monitoring/events", json=event, headers=user.headers)
    assert_error(created, 422, "VALIDATION_FAILED")
    assert "recorded_at" in created.json()["error"]["message"]
    event["recorded_at"] = "2025-01-02T03:04:05Z"
    accepted = await client.post("/api/v1/monitoring/events", json=event, headers=user.headers)
    assert accepted.status_code == 200, accepted.text


async def test_a_whole_float_is_an_integer(client: httpx.AsyncClient, user: AppUser) -> None:
    task = {"task_type": "delay_task", "payload": {"seconds": 1}, "max_attempts": 3.0}
    created = await client.post("/api/v1/tasks", json=task, headers=user.headers)
    assert created.status_code == 200, created.text
    assert created.json()["data"]["max_attempts"] == 3
    task["max_attempts"] = 3.5
    refused = await client.post("/api/v1/tasks", json=task, headers=user.headers)
    assert_error(refused, 422, "VALIDATION_FAILED")
