"""Monitoring rules for events, metrics, stats and retention (incidents and alerts have their
own modules). `record_event` is the entry point other packages use to write an event."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from starter.auth.schemas import Principal
from starter.core.config import Settings
from starter.core.db import Connection, Record
from starter.core.errors import NotFound, ValidationFailed
from starter.monitoring import repository as repo
from starter.monitoring.ownership import require_metric_name, require_source
from starter.monitoring.schemas import (
    CreateEventRequest,
    CreateMetricRequest,
    Event,
    Metric,
    MonitoringStats,
)
from starter.monitoring.tags import parse_tag_filter

NOTIFY_LEVELS = frozenset({"error", "warn", "warning"})
EVENT_TYPES = frozenset({"log", "metric", "trace", "alert"})
MAX_EVENT_TYPE_BYTES = 50
MAX_SOURCE_BYTES = 200
MAX_MESSAGE_BYTES = 10_000
MAX_LEVEL_BYTES = 20
MAX_TAGS = 100
MAX_PAYLOAD_FIELDS = 100
MAX_TAGS_JSON_BYTES = 65_536
MAX_PAYLOAD_JSON_BYTES = 1_048_576
MAX_METRIC_NAME_BYTES = 100
MAX_LABELS = 50
MAX_LABELS_JSON_BYTES = 65_536
PRUNE_BATCH = 5_000


async def record_event(
    conn: Connection,
    *,
    event_type: str,
    source: str,
    message: str | None = None,
    level: str | None = None,
    tags: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    recorded_at: datetime | None = None,
) -> Record:
    """Insert one event (no ownership or size rules: callers are trusted code or have already
    validated) and tell live-stream moderators about warnings and errors."""
    row = await repo.insert_event(
        conn,
        event_type=event_type,
        source=source,
        message=message,
        level=level,
        tags=tags or {},
        payload=payload or {},
        recorded_at=recorded_at,
    )
    # Moderators watching the live stream hear about problems, not about every event.
    if level is not None and level.lower() in NOTIFY_LEVELS:
        await repo.notify(
            conn,
            {
                "kind": "event",
                "id": str(row["id"]),
                "event_type": event_type,
                "source": source,
                "level": level,
                "message": (message or "")[:200],
            },
        )
    return row


def _too_long(value: str | None, limit: int) -> bool:
    return value is not None and len(value.encode()) > limit


def _json_bytes(value: Any) -> int:
    return len(orjson.dumps(value))


def _validate_event(body: CreateEventRequest) -> None:
    if _too_long(body.event_type, MAX_EVENT_TYPE_BYTES):
        raise ValidationFailed("event_type", "Event type too long (max 50 characters)")
    if _too_long(body.source, MAX_SOURCE_BYTES):
        raise ValidationFailed("source", "Source too long (max 200 characters)")
    if _too_long(body.message, MAX_MESSAGE_BYTES):
        raise ValidationFailed("message", "Message too long (max 10000 characters)")
    if _too_long(body.level, MAX_LEVEL_BYTES):
        raise ValidationFailed("level", "Level too long (max 20 characters)")
    if len(body.tags) > MAX_TAGS:
        raise ValidationFailed("tags", "Too many tags (max 100)")
    if len(body.payload) > MAX_PAYLOAD_FIELDS:
        raise ValidationFailed("payload", "Too many payload fields (max 100)")
    if _json_bytes(body.tags) > MAX_TAGS_JSON_BYTES:
        raise ValidationFailed("tags", "Tags JSON too large (max 64KB)")
    if _json_bytes(body.payload) > MAX_PAYLOAD_JSON_BYTES:
        raise ValidationFailed("payload", "Payload JSON too large (max 1MB)")
    if body.event_type not in EVENT_TYPES:
        raise ValidationFailed("event_type", "Invalid event type")


async def create_event(conn: Connection, principal: Principal, body: CreateEventRequest) -> Event:
    require_source(principal.role, principal.username, principal.id, body.source)
    _validate_event(body)
    row = await record_event(
        conn,
        event_type=body.event_type,
        source=body.source,
        message=body.message,
        level=body.level,
        tags=body.tags,
        payload=body.payload,
        recorded_at=body.recorded_at,
    )
    return Event.model_validate(dict(row))


@dataclass(frozen=True)
class EventFilter:
    event_type: str | None = None
    source: str | None = None
    level: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    tags: str | None = None


async def list_events(
    conn: Connection, query: EventFilter, limit: int, offset: int
) -> list[Record]:
    """Rows of `Event`."""
    tags = parse_tag_filter(query.tags)
    return await repo.list_events(
        conn,
        event_type=query.event_type,
        source=query.source,
        level=query.level,
        start_time=query.start_time,
        end_time=query.end_time,
        tags=tags,
        limit=limit,
        offset=offset,
    )


async def get_event(conn: Connection, event_id: UUID) -> Event:
    row = await repo.get_event(conn, event_id)
    if row is None:
        raise NotFound("Event not found")
    return Event.model_validate(dict(row))


async def create_metric(
    conn: Connection, principal: Principal, body: CreateMetricRequest
) -> Metric:
    require_metric_name(principal.role, principal.username, principal.id, body.name)
    if _too_long(body.name, MAX_METRIC_NAME_BYTES):
        raise ValidationFailed("name", "Metric name too long (max 100 characters)")
    if len(body.labels) > MAX_LABELS:
        raise ValidationFailed("labels", "Too many labels (max 50)")
    if _json_bytes(body.labels) > MAX_LABELS_JSON_BYTES:
        raise ValidationFailed("labels", "Labels JSON too large (max 64KB)")
    if not math.isfinite(body.value):
        raise ValidationFailed("value", "Metric value must be a finite number")
    row = await repo.insert_metric(
        conn,
        name=body.name,
        metric_type=body.metric_type,
        value=body.value,
        labels=body.labels,
        recorded_at=body.recorded_at,
    )
    return Metric.model_validate(dict(row))


async def list_metrics(
    conn: Connection,
    *,
    name: str | None,
    metric_type: str | None,
    start_time: datetime | None,
    end_time: datetime | None,
    limit: int,
    offset: int,
) -> list[Record]:
    """Rows of `Metric`."""
    return await repo.list_metrics(
        conn,
        name=name,
        metric_type=metric_type,
        start_time=start_time,
        end_time=end_time,
        limit=limit,
        offset=offset,
    )


async def stats(conn: Connection) -> MonitoringStats:
    return MonitoringStats.model_validate(dict(await repo.stats(conn)))


async def prune_old_data(
    conn: Connection, retention_days: int, *, dry_run: bool = False
) -> dict[str, int]:
    """Delete events and metrics recorded more than `retention_days` ago, in batches (each
    batch its own statement, so locks stay short); with `dry_run`, only count them."""
    if retention_days < 0:
        raise ValidationFailed("older_than_days", "must not be negative")
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    counts: dict[str, int] = {}
    for table in ("events", "metrics"):
        if dry_run:
            counts[table] = await repo.count_older(conn, table, cutoff)
            continue
        total = 0
        while True:
            deleted = await repo.delete_older_batch(conn, table, cutoff, PRUNE_BATCH)
            total += deleted
            if deleted < PRUNE_BATCH:
                break
        counts[table] = total
    return counts


async def run_retention(conn: Connection, settings: Settings) -> dict[str, int]:
    """The worker's hourly job: prune what is older than STARTER__MONITORING__RETENTION_DAYS."""
    return await prune_old_data(conn, settings.monitoring.retention_days)
