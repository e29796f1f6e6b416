"""The monitoring-wide counts, and the Prometheus export built from them."""

from __future__ import annotations

from starter.core.db import Connection, Pool
from starter.monitoring.metrics import service as metrics
from starter.monitoring.stats import repository as repo
from starter.monitoring.stats.schemas import MonitoringStats
from starter.observability import prometheus

MAX_USER_ROWS = 10_000


async def stats(conn: Connection) -> MonitoringStats:
    return MonitoringStats.model_validate(dict(await repo.stats(conn)))


async def prometheus_text(conn: Connection, pool: Pool) -> bytes:
    """The exposition: system counters, stored series of the last 24 h, the app's own metrics."""
    prometheus.observe_pool(pool)
    counts = await stats(conn)
    series = await metrics.recent_series(conn, MAX_USER_ROWS)
    return prometheus.render(counts.model_dump(), series)
