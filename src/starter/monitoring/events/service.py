"""Event rules: who may write which source, the size limits, the live-stream notice.
`record_event` is the entry point other packages use to write an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

import orjson

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import NotFound, ValidationFailed
from starter.monitoring import batch
from starter.monitoring.common import notify, require_source, too_long
from starter.monitoring.events import repository as repo
from starter.monitoring.events.schemas import CreateEventBatchRequest, CreateEventRequest, Event
from starter.monitoring.events.tags import parse_tag_filter

NOTIFY_LEVELS = frozenset({"error", "warn", "warning"})
_NOTIFY_ORDER = sorted(NOTIFY_LEVELS)
EVENT_TYPES = frozenset({"log", "metric", "trace", "alert"})
MAX_EVENT_TYPE_BYTES = 50
MAX_SOURCE_BYTES = 200
MAX_MESSAGE_BYTES = 10_000
MAX_LEVEL_BYTES = 20
MAX_TAGS = 100
MAX_PAYLOAD_FIELDS = 100
MAX_TAGS_JSON_BYTES = 65_536
MAX_PAYLOAD_JSON_BYTES = 1_048_576


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
    fields = _Fields(event_type, source, message, level, _json(tags), _json(payload), recorded_at)
    return await _store(conn, fields)


@dataclass(frozen=True, slots=True)
class _Fields:
    event_type: str
    source: str
    message: str | None
    level: str | None
    tags: str  # JSON text
    payload: str  # JSON text
    recorded_at: datetime | None


def _json(value: dict[str, Any] | None) -> str:
    return orjson.dumps(value or {}).decode()


async def _store(conn: Connection, fields: _Fields, *, synchronous_commit: bool = True) -> Record:
    row = await repo.insert_event(
        conn,
        event_type=fields.event_type,
        source=fields.source,
        message=fields.message,
        level=fields.level,
        tags=fields.tags,
        payload=fields.payload,
        recorded_at=fields.recorded_at,
        synchronous_commit=synchronous_commit,
    )
    # Moderators watching the live stream hear about problems, not about every event.
    if fields.level is not None and fields.level.lower() in NOTIFY_LEVELS:
        await notify(
            conn,
            {
                "kind": "event",
                "id": str(row["id"]),
                "event_type": fields.event_type,
                "source": fields.source,
                "level": fields.level,
                "message": (fields.message or "")[:200],
            },
        )
    return row


def _validate_event(body: CreateEventRequest) -> tuple[str, str]:
    """The size and type rules; the tags and payload as JSON text (serialized once)."""
    if too_long(body.event_type, MAX_EVENT_TYPE_BYTES):
        raise ValidationFailed("event_type", "Event type too long (max 50 characters)")
    if too_long(body.source, MAX_SOURCE_BYTES):
        raise ValidationFailed("source", "Source too long (max 200 characters)")
    if too_long(body.message, MAX_MESSAGE_BYTES):
        raise ValidationFailed("message", "Message too long (max 10000 characters)")
    if too_long(body.level, MAX_LEVEL_BYTES):
        raise ValidationFailed("level", "Level too long (max 20 characters)")
    if len(body.tags) > MAX_TAGS:
        raise ValidationFailed("tags", "Too many tags (max 100)")
    if len(body.payload) > MAX_PAYLOAD_FIELDS:
        raise ValidationFailed("payload", "Too many payload fields (max 100)")
    tags = orjson.dumps(body.tags)
    if len(tags) > MAX_TAGS_JSON_BYTES:
        raise ValidationFailed("tags", "Tags JSON too large (max 64KB)")
    payload = orjson.dumps(body.payload)
    if len(payload) > MAX_PAYLOAD_JSON_BYTES:
        raise ValidationFailed("payload", "Payload JSON too large (max 1MB)")
    if body.event_type not in EVENT_TYPES:
        raise ValidationFailed("event_type", "Invalid event type")
    return tags.decode(), payload.decode()


async def create_event(
    conn: Connection,
    principal: Principal,
    body: CreateEventRequest,
    *,
    synchronous_commit: bool = True,
) -> Record:
    """The stored row (rendered as `Event`); `synchronous_commit=False`: the insert's commit
    does not wait for the WAL flush (the ingest setting)."""
    require_source(principal.role, principal.username, principal.id, body.source)
    tags, payload = _validate_event(body)
    fields = _Fields(
        body.event_type, body.source, body.message, body.level, tags, payload, body.recorded_at
    )
    return await _store(conn, fields, synchronous_commit=synchronous_commit)


def _checked(principal: Principal, item: object, *, rows: repo.EventColumns) -> None:
    """One batch element through the single endpoint's checks, appended to `rows`."""
    body = batch.parse(CreateEventRequest, item)
    require_source(principal.role, principal.username, principal.id, body.source)
    tags, payload = _validate_event(body)
    rows.event_type.append(body.event_type)
    rows.source.append(body.source)
    rows.message.append(body.message)
    rows.level.append(body.level)
    rows.tags.append(tags)
    rows.payload.append(payload)
    rows.recorded_at.append(body.recorded_at)


async def create_events(
    conn: Connection,
    principal: Principal,
    body: CreateEventBatchRequest,
    *,
    synchronous_commit: bool = True,
) -> batch.BatchResult:
    """Store the elements that pass, in one statement; report the others by index."""
    batch.require_size(len(body.events), "events")
    rows = repo.EventColumns()
    stored, rejected = batch.sort_out(body.events, partial(_checked, principal, rows=rows))
    ids = (
        await repo.insert_events(conn, rows, _NOTIFY_ORDER, synchronous_commit=synchronous_commit)
        if stored
        else []
    )
    return batch.result(len(body.events), stored, ids, rejected)


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


async def count_events(
    conn: Connection, *, after: datetime, until: datetime, filters: dict[str, str | None]
) -> int:
    """An events rule's value over its window (the alert evaluator)."""
    return await repo.count_events(conn, after=after, until=until, filters=filters)
