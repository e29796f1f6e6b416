"""What the monitoring sub-packages share: who may write which event sources and metric names
(role `user` only; moderator+ skip), the size checks of a written body, the live-stream
notification, and the filter builder of the list queries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starter.core.channels import MONITORING
from starter.core.db import Connection
from starter.core.errors import Forbidden
from starter.rbac.roles import Role

DENIED_SOURCE_PREFIXES = ("system-", "health-", "monitoring-")
GENERIC_SOURCE_PREFIXES = ("app-", "web-", "api-", "test-", "db-")
DENIED_METRIC_PREFIXES = ("system_", "health_", "monitoring_")
GENERIC_METRIC_PREFIXES = (
    "http_requests",
    "http_requests_total",
    "response_time",
    "response_time_seconds",
    "cpu_usage",
    "memory_usage",
    "disk_usage",
    "network_bytes",
    "error_rate",
    "latency",
    "throughput",
    "requests_per_second",
    "active_connections",
    "queue_size",
)


def _owned(name: str, separator: str, username: str, user_id: UUID) -> bool:
    return (
        name.startswith(f"{username}{separator}")
        or name.startswith(f"user{separator}{user_id}{separator}")
        or name.split(separator, 1)[0] == username
    )


def may_write_source(role: Role, username: str, user_id: UUID, source: str) -> bool:
    if role.at_least(Role.MODERATOR):
        return True
    if source.startswith(DENIED_SOURCE_PREFIXES):
        return False
    if "-" not in source or source.startswith(GENERIC_SOURCE_PREFIXES):
        return True
    return _owned(source, "-", username, user_id)


def may_write_metric(role: Role, username: str, user_id: UUID, name: str) -> bool:
    if role.at_least(Role.MODERATOR):
        return True
    if name.startswith(DENIED_METRIC_PREFIXES):
        return False
    if name.startswith(GENERIC_METRIC_PREFIXES):
        return True
    return _owned(name, "_", username, user_id)


def require_source(role: Role, username: str, user_id: UUID, source: str) -> None:
    if not may_write_source(role, username, user_id, source):
        raise Forbidden(
            "Users can only create events for their own sources. "
            f"Source '{source}' is not authorized for user '{username}'"
        )


def require_metric_name(role: Role, username: str, user_id: UUID, name: str) -> None:
    if not may_write_metric(role, username, user_id, name):
        raise Forbidden(
            "Users can only create metrics with names they own. "
            f"Metric '{name}' is not authorized for user '{username}'"
        )


def too_long(value: str | None, limit: int) -> bool:
    """Limits count UTF-8 bytes, not characters."""
    return value is not None and len(value.encode()) > limit


async def notify(conn: Connection, payload: dict[str, Any]) -> None:
    """Tell live-stream moderators (sent on commit, like every NOTIFY)."""
    await conn.execute("SELECT pg_notify($1, $2::jsonb::text)", MONITORING, payload)
