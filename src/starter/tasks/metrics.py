"""Prometheus metrics of the task system (default registry, exported by the monitoring domain).

In `starter dev` the worker shares the server's process, so the server's Prometheus export
(`GET /api/v1/monitoring/metrics/prometheus`) carries these directly;
a stand-alone `starter worker` serves them on `--metrics-port` when given.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

TASK_STATUS_CHANGES = Counter(
    "starter_task_status_changes_total",
    "Task state changes made by workers and the reaper, by task type and new status.",
    ["task_type", "status"],
)
TASK_DURATION = Histogram(
    "starter_task_duration_seconds",
    "Handler run time, by task type and outcome (completed, failed, retrying, cancelled).",
    ["task_type", "outcome"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
TASK_QUEUE_DEPTH = Gauge(
    "starter_task_queue_depth",
    "Unfinished tasks by status: pending, running, retrying (refreshed by worker heartbeats).",
    ["status"],
)
TASKS_IN_FLIGHT = Gauge(
    "starter_tasks_in_flight",
    "Tasks whose handler is running in this process.",
)
TASK_PICKUP_DELAY = Histogram(
    "starter_task_pickup_delay_seconds",
    "Time from a task being due (scheduled_at) to a worker claiming it.",
    ["task_type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30),
)
TASK_LEASES_EXPIRED = Counter(
    "starter_task_leases_expired_total",
    "Running tasks re-queued (or dead-lettered) by the reaper because their worker vanished.",
    ["task_type"],
)
_STATUSES = ("pending", "running", "retrying")


def count_status_change(task_type: str, status: str, amount: int = 1) -> None:
    TASK_STATUS_CHANGES.labels(task_type, status).inc(amount)


def set_queue_depth(counts: dict[str, int]) -> None:
    """Set the queue-depth gauge; statuses missing from `counts` are zero."""
    for status in _STATUSES:
        TASK_QUEUE_DEPTH.labels(status).set(counts.get(status, 0))
