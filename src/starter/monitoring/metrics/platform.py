"""The platform's own figures, sampled into the metrics store every minute, so the Metrics
page and alert rules have data on a fresh install.

- Each worker tick (one worker per tick) records the queue: `tasks_queue_depth`,
  `tasks_running` and `tasks_oldest_pending_age_seconds` per task type, and
  `task_wait_seconds` / `task_run_seconds` (p50 and p95, label `quantile`) over the tasks
  finished since the previous interval began.
- Each server process records its own traffic since its previous sample:
  `http_requests_per_second`, `http_request_duration_seconds` (p50 and p95, the upper bound of
  the histogram bucket) and `db_pool_connections_in_use`, labelled with `instance`.

`STARTER__MONITORING__PLATFORM_METRICS_SECS` sets the interval (0 turns both off).
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import asyncpg
import orjson
import structlog

from starter.core.db import Connection, Pool
from starter.monitoring.metrics import repository as repo
from starter.observability import http_metrics

log = structlog.get_logger(__name__)
QUANTILES = (("0.5", 0.5), ("0.95", 0.95))


@dataclass(frozen=True)
class Sample:
    name: str
    metric_type: str
    value: float
    labels: dict[str, str]


def gauge(name: str, value: float | None, **labels: str) -> list[Sample]:
    return [] if value is None else [Sample(name, "gauge", float(value), labels)]


def summary(name: str, values: Iterable[tuple[str, float | None]], **labels: str) -> list[Sample]:
    """One `summary` sample per known quantile (label `quantile`)."""
    return [
        Sample(name, "summary", float(value), {**labels, "quantile": quantile})
        for quantile, value in values
        if value is not None
    ]


async def record_samples(conn: Connection, samples: Sequence[Sample]) -> int:
    """Store the samples in one statement; how many."""
    rows = repo.MetricColumns()
    for sample in samples:
        rows.name.append(sample.name)
        rows.metric_type.append(sample.metric_type)
        rows.value.append(sample.value)
        rows.labels.append(orjson.dumps(sample.labels).decode())
        rows.recorded_at.append(None)
    if samples:
        await repo.insert_metrics(conn, rows)
    return len(samples)


def process_instance() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ServerSampler:
    """This process's HTTP traffic and pool use since the previous `sample()`."""

    def __init__(self, instance: str) -> None:
        self.instance = instance
        self._count, self._buckets = http_metrics.totals()
        self._at = time.monotonic()

    def sample(self, pool: Pool) -> list[Sample]:
        count, buckets = http_metrics.totals()
        now = time.monotonic()
        served = count - self._count
        window = [new - old for new, old in zip(buckets, self._buckets, strict=True)]
        elapsed = max(now - self._at, 1e-9)
        self._count, self._buckets, self._at = count, buckets, now
        instance = self.instance
        in_use = pool.get_size() - pool.get_idle_size()
        return [
            *gauge("http_requests_per_second", served / elapsed, instance=instance),
            *summary(
                "http_request_duration_seconds",
                ((name, http_metrics.quantile(window, q)) for name, q in QUANTILES),
                instance=instance,
            ),
            *gauge("db_pool_connections_in_use", in_use, instance=instance),
        ]


async def run_server_sampler(pool: Pool, interval_secs: float) -> None:
    """Record this process's figures every `interval_secs` until cancelled; a failed write
    (the database away) is logged and the next tick tries again."""
    sampler = ServerSampler(process_instance())
    while True:
        await asyncio.sleep(interval_secs)
        samples = sampler.sample(pool)
        try:
            async with pool.acquire() as conn:
                await record_samples(conn, samples)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("platform_metrics.not_recorded", error=type(error).__name__)
