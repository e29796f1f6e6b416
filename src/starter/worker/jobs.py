"""The periodic jobs every worker process runs (each tick by exactly one worker).

To add one: `PeriodicJob("name", lambda s: <interval secs from settings>, async fn(conn, settings))`.
"""

from __future__ import annotations

from starter.auth.service import cleanup_expired_sessions
from starter.core.config import Settings
from starter.core.db import Connection, Record
from starter.monitoring.alerts.evaluation import EvaluationSummary, run_alert_evaluation
from starter.monitoring.metrics.platform import Sample, gauge, record_samples, summary
from starter.monitoring.retention.service import run_retention
from starter.tasks.console_service import queue_figures
from starter.tasks.service import count_in_status
from starter.worker.reaper import prune_dead_workers, reap_expired_leases
from starter.worker.scheduler import PeriodicJob


async def _evaluate_alerts(conn: Connection, settings: Settings) -> EvaluationSummary:
    return await run_alert_evaluation(conn, settings, count_tasks=count_in_status)


async def _cleanup_sessions(conn: Connection, settings: Settings) -> int:
    return await cleanup_expired_sessions(conn, settings.auth)


# The quantile label of each percentile column of the tasks console's figures.
PERCENTILE_COLUMNS = (("0.5", "p50"), ("0.95", "p95"))


def queue_samples(row: Record) -> list[Sample]:
    task_type = row["task_type"]

    def seconds(column: str) -> float | None:
        value = row[column]
        return None if value is None else value / 1000

    return [
        *gauge("tasks_queue_depth", row["pending"], task_type=task_type),
        *gauge("tasks_running", row["running"], task_type=task_type),
        *gauge(
            "tasks_oldest_pending_age_seconds",
            row["oldest_pending_age_seconds"],
            task_type=task_type,
        ),
        *summary(
            "task_wait_seconds",
            ((quantile, seconds(f"wait_{p}_ms")) for quantile, p in PERCENTILE_COLUMNS),
            task_type=task_type,
        ),
        *summary(
            "task_run_seconds",
            ((quantile, seconds(f"run_{p}_ms")) for quantile, p in PERCENTILE_COLUMNS),
            task_type=task_type,
        ),
    ]


async def _sample_queue(conn: Connection, settings: Settings) -> int:
    interval = settings.monitoring.platform_metrics_secs
    rows = await queue_figures(conn, interval)
    return await record_samples(conn, [sample for row in rows for sample in queue_samples(row)])


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
    PeriodicJob(
        "monitoring.sample_queue", lambda s: s.monitoring.platform_metrics_secs, _sample_queue
    ),
]
