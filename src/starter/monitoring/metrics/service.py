"""Metric rules: who may write which name, the size limits, finite values."""

from __future__ import annotations

import math
from datetime import datetime
from functools import partial

import orjson

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import ValidationFailed
from starter.monitoring import batch
from starter.monitoring.common import require_metric_name, too_long
from starter.monitoring.metrics import repository as repo
from starter.monitoring.metrics.schemas import CreateMetricBatchRequest, CreateMetricRequest, Metric

MAX_METRIC_NAME_BYTES = 100
MAX_LABELS = 50
MAX_LABELS_JSON_BYTES = 65_536


def _validate_metric(principal: Principal, body: CreateMetricRequest) -> str:
    """The ownership, size and value rules; the labels as JSON text (serialized once)."""
    require_metric_name(principal.role, principal.username, principal.id, body.name)
    if too_long(body.name, MAX_METRIC_NAME_BYTES):
        raise ValidationFailed("name", "Metric name too long (max 100 characters)")
    if len(body.labels) > MAX_LABELS:
        raise ValidationFailed("labels", "Too many labels (max 50)")
    labels = orjson.dumps(body.labels)
    if len(labels) > MAX_LABELS_JSON_BYTES:
        raise ValidationFailed("labels", "Labels JSON too large (max 64KB)")
    if not math.isfinite(body.value):
        raise ValidationFailed("value", "Metric value must be a finite number")
    return labels.decode()


async def create_metric(
    conn: Connection, principal: Principal, body: CreateMetricRequest
) -> Metric:
    _validate_metric(principal, body)
    row = await repo.insert_metric(
        conn,
        name=body.name,
        metric_type=body.metric_type,
        value=body.value,
        labels=body.labels,
        recorded_at=body.recorded_at,
    )
    return Metric.model_validate(dict(row))


def _checked(principal: Principal, item: object, *, rows: repo.MetricColumns) -> None:
    """One batch element through the single endpoint's checks, appended to `rows`."""
    body = batch.parse(CreateMetricRequest, item)
    labels = _validate_metric(principal, body)
    rows.name.append(body.name)
    rows.metric_type.append(body.metric_type)
    rows.value.append(body.value)
    rows.labels.append(labels)
    rows.recorded_at.append(body.recorded_at)


async def create_metrics(
    conn: Connection, principal: Principal, body: CreateMetricBatchRequest
) -> batch.BatchResult:
    """Store the elements that pass, in one statement; report the others by index."""
    batch.require_size(len(body.metrics), "metrics")
    rows = repo.MetricColumns()
    stored, rejected = batch.sort_out(body.metrics, partial(_checked, principal, rows=rows))
    ids = await repo.insert_metrics(conn, rows) if stored else []
    return batch.result(len(body.metrics), stored, ids, rejected)


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


async def recent_series(conn: Connection, max_rows: int) -> list[Record]:
    """The latest sample per series of the last 24 h (the Prometheus export)."""
    return await repo.recent_metric_series(conn, max_rows)


async def aggregate(
    conn: Connection,
    *,
    name: str,
    aggregation: str,
    after: datetime,
    until: datetime,
    labels: dict[str, str],
) -> float | None:
    """A metric rule's value over its window (the alert evaluator)."""
    return await repo.aggregate(
        conn, name=name, aggregation=aggregation, after=after, until=until, labels=labels
    )
