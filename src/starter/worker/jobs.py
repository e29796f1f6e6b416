"""The periodic jobs every worker process runs (each tick by exactly one worker).

To add one: `PeriodicJob("name", lambda s: <interval secs from settings>, async fn(conn, settings))`.
"""

from __future__ import annotations

from starter.auth.service import cleanup_expired_sessions
from starter.core.config import Settings
from starter.core.db import Connection
from starter.monitoring.alerts.evaluation import EvaluationSummary, run_alert_evaluation
from starter.monitoring.retention.service import run_retention
from starter.tasks.service import count_in_status
from starter.worker.reaper import prune_dead_workers, reap_expired_leases
from starter.worker.scheduler import PeriodicJob


async def _evaluate_alerts(conn: Connection, settings: Settings) -> EvaluationSummary:
    return await run_alert_evaluation(conn, settings, count_tasks=count_in_status)


async def _cleanup_sessions(conn: Connection, settings: Settings) -> int:
    return await cleanup_expired_sessions(conn, settings.auth)


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("auth.cleanup_sessions", lambda s: s.auth.cleanup_interval_secs, _cleanup_sessions),
    PeriodicJob(
        "worker.reap_expired_leases", lambda s: s.worker.reaper_interval_secs, reap_expired_leases
    ),
    PeriodicJob(
        "worker.prune_dead_workers",
        lambda s: max(s.worker.prune_dead_workers_after_secs / 4, 1.0),
        prune_dead_workers,
    ),
    PeriodicJob(
        "monitoring.evaluate_alerts",
        lambda s: s.monitoring.alert_interval_secs,
        _evaluate_alerts,
    ),
    PeriodicJob("monitoring.retention", lambda s: 3600.0, run_retention),
]
