"""The platform records its own figures into the metrics store (queue, HTTP, pool)."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from starter.core.config import MonitoringSettings, Settings
from starter.monitoring.metrics.platform import ServerSampler, record_samples
from starter.worker.jobs import PERIODIC_JOBS, _sample_queue
from starter.worker.scheduler import Scheduler
from tests.support.http import asgi_client, started_app
from tests.support.settings import make_settings
from tests.support.users import AppUser

SAMPLED = make_settings(
    "postgresql://unused", monitoring=MonitoringSettings(platform_metrics_secs=60)
)


async def metric_values(db: asyncpg.Connection, name: str) -> dict[str, float]:
    """The newest value of each label set of `name`, keyed by its labels as JSON."""
    rows = await db.fetch(
        """SELECT DISTINCT ON (labels) labels, value FROM metrics WHERE name = $1
            ORDER BY labels, recorded_at DESC""",
        name,
    )
    return {json.dumps(row["labels"], sort_keys=True): row["value"] for row in rows}


def labels(**values: str) -> str:
    return json.dumps(values, sort_keys=True)


async def test_the_queue_sample_records_depth_age_and_percentiles_per_type(
    app: FastAPI, db: asyncpg.Connection
) -> None:
    await db.execute(
        """INSERT INTO tasks (task_type, status, created_at, scheduled_at)
           SELECT 'delay_task', 'pending', now() - interval '120 seconds',
                  now() - interval '120 seconds' FROM generate_series(1, 3)"""
    )
    await db.execute(
        """INSERT INTO tasks (task_type, status, created_at, scheduled_at, started_at, completed_at)
           SELECT 'email', 'completed', now() - interval '4 seconds', now() - interval '4 seconds',
                  now() - interval '3 seconds', now() - interval '1 second'
             FROM generate_series(1, 2)"""
    )
    recorded = await _sample_queue(db, SAMPLED)

    assert recorded > 0
    depth = await metric_values(db, "tasks_queue_depth")
    assert depth[labels(task_type="delay_task")] == 3
    assert depth[labels(task_type="email")] == 0
    oldest = await metric_values(db, "tasks_oldest_pending_age_seconds")
    assert 119 <= oldest[labels(task_type="delay_task")] <= 180
    run = await metric_values(db, "task_run_seconds")
    assert run[labels(task_type="email", quantile="0.5")] == pytest.approx(2.0, abs=0.01)
    assert run[labels(task_type="email", quantile="0.95")] == pytest.approx(2.0, abs=0.01)
    wait = await metric_values(db, "task_wait_seconds")
    assert wait[labels(task_type="email", quantile="0.5")] == pytest.approx(1.0, abs=0.01)


async def test_the_queue_sample_is_a_worker_job_that_the_setting_switches_off(
    app: FastAPI, settings: Settings
) -> None:
    pool = app.state.pool
    on = Scheduler(pool, SAMPLED, uuid.uuid4(), PERIODIC_JOBS)
    off = Scheduler(pool, settings, uuid.uuid4(), PERIODIC_JOBS)  # the tests' settings: 0
    assert "monitoring.sample_queue" in on.job_names
    assert "monitoring.sample_queue" not in off.job_names


async def test_a_server_process_samples_its_requests_and_pool(
    app: FastAPI, client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    sampler = ServerSampler("test-host:1")
    for _ in range(5):
        assert (await client.get("/api/v1/health/live")).status_code == 200
    samples = sampler.sample(app.state.pool)
    by_name = {(s.name, s.labels.get("quantile")): s for s in samples}

    assert by_name[("http_requests_per_second", None)].value > 0
    assert by_name[("http_requests_per_second", None)].labels == {"instance": "test-host:1"}
    assert 0 < by_name[("http_request_duration_seconds", "0.5")].value <= 10
    assert ("http_request_duration_seconds", "0.95") in by_name
    assert by_name[("db_pool_connections_in_use", None)].value >= 0
    assert await record_samples(db, samples) == len(samples) == 4
    assert labels(instance="test-host:1") in await metric_values(db, "db_pool_connections_in_use")


async def test_a_running_server_records_its_figures_and_staff_can_read_them(
    database_url: str, db: asyncpg.Connection, admin: AppUser
) -> None:
    settings = make_settings(database_url, monitoring=MonitoringSettings(platform_metrics_secs=0.2))
    async with started_app(settings) as running, asgi_client(running) as served:
        await served.get("/api/v1/health/live")
        for _ in range(100):
            if await metric_values(db, "http_requests_per_second"):
                break
            await asyncio.sleep(0.05)
        response = await served.get(
            "/api/v1/monitoring/metrics",
            params={"name": "http_requests_per_second"},
            headers=admin.headers,
        )
    assert response.status_code == 200
    rows = response.json()["data"]
    assert rows and rows[0]["metric_type"] == "gauge"
    assert set(rows[0]["labels"]) == {"instance"}
