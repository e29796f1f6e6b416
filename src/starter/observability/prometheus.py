"""The Prometheus text exposition (format 0.0.4): the six system counters, the stored
user metrics of the last 24 h (latest sample per series, bounded), then the app's own metrics
from prometheus_client's default registry (HTTP, DB pool, and whatever tasks register).
What each part holds: docs/monitoring.md, "Statistics and Prometheus"."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import REGISTRY, Gauge, generate_latest

from starter.core.db import Pool, Record

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
USER_PREFIX = "user_"

SYSTEM_FAMILIES: tuple[tuple[str, str, str, str], ...] = (
    ("monitoring_total_events", "Total number of events in the system", "counter", "total_events"),
    (
        "monitoring_total_metrics",
        "Total number of metrics in the system",
        "counter",
        "total_metrics",
    ),
    ("monitoring_active_alerts", "Number of currently active alerts", "gauge", "active_alerts"),
    (
        "monitoring_open_incidents",
        "Number of currently open incidents",
        "gauge",
        "open_incidents",
    ),
    (
        "monitoring_events_last_hour",
        "Number of events in the last hour",
        "gauge",
        "events_last_hour",
    ),
    (
        "monitoring_metrics_last_hour",
        "Number of metrics in the last hour",
        "gauge",
        "metrics_last_hour",
    ),
)
# Histograms and summaries need _bucket/_sum/_count samples; a single stored value is untyped.
_USER_TYPES = {"counter": "counter", "gauge": "gauge", "histogram": "untyped", "summary": "untyped"}
_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_:]")
_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")
_COUNTER_SUFFIXES = ("_total", "_created")

DB_POOL_IN_USE = Gauge("db_pool_connections_in_use", "Database pool connections checked out")
DB_POOL_SIZE = Gauge("db_pool_connections", "Database pool connections open")


def observe_pool(pool: Pool) -> None:
    """Read the pool at scrape time (no background sampling)."""
    size = pool.get_size()
    DB_POOL_SIZE.set(size)
    DB_POOL_IN_USE.set(size - pool.get_idle_size())


def metric_name(raw: str) -> str:
    name = _INVALID_NAME_CHARS.sub("_", raw) or "_"
    return f"_{name}" if name[0].isdigit() else name


def label_name(raw: str) -> str:
    name = _INVALID_LABEL_CHARS.sub("_", raw) or "_"
    if name[0].isdigit():
        name = f"_{name}"
    # Names starting with `__` are reserved for Prometheus itself.
    return "_" + name.lstrip("_") if name.startswith("__") else name


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _label_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _labels(raw: Any) -> str:
    if not isinstance(raw, dict) or not raw:
        return ""
    pairs: dict[str, str] = {}
    for key, value in raw.items():
        text = _label_text(value)
        if text is not None:
            pairs.setdefault(label_name(str(key)), escape_label_value(text))
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(pairs.items())) + "}"


def system_block(values: Mapping[str, int]) -> str:
    parts = [
        f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n{name} {values[field]}\n\n"
        for name, help_text, kind, field in SYSTEM_FAMILIES
    ]
    return "".join(parts)


def _reserved_names() -> set[str]:
    """Every family and sample name already exposed by the system block and the registry."""
    names = {name for name, *_ in SYSTEM_FAMILIES}
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


def _unique(name: str, reserved: set[str]) -> str:
    def clashes(candidate: str) -> bool:
        stem = candidate
        for suffix in _COUNTER_SUFFIXES:
            stem = stem.removesuffix(suffix)
        variants = {candidate, stem, *(stem + suffix for suffix in _COUNTER_SUFFIXES)}
        return not variants.isdisjoint(reserved)

    while clashes(name):
        name = USER_PREFIX + name
    return name


def user_block(rows: Iterable[Record], reserved: set[str]) -> str:
    families: dict[str, tuple[str, list[str], set[str]]] = {}
    for row in rows:
        name = metric_name(row["name"])
        labels = _labels(row["labels"])
        kind, lines, seen = families.setdefault(name, (_USER_TYPES[row["metric_type"]], [], set()))
        if labels in seen:  # two raw series that sanitize to the same one: keep the first
            continue
        seen.add(labels)
        timestamp_ms = int(row["recorded_at"].timestamp() * 1000)
        lines.append(f"{labels} {format_value(row['value'])} {timestamp_ms}\n")
    out: list[str] = []
    for name in sorted(families):
        kind, lines, _ = families[name]
        exposed = _unique(name, reserved)
        reserved.add(exposed)
        out.append(f"# HELP {exposed} User-submitted metric\n# TYPE {exposed} {kind}\n")
        out.extend(exposed + line for line in lines)
        out.append("\n")
    return "".join(out)


def render(system_values: Mapping[str, int], user_rows: Iterable[Record]) -> bytes:
    """`system_values`: the six counts by field name; `user_rows`: the latest sample per
    stored series (name, metric_type, value, labels, recorded_at)."""
    app_metrics = generate_latest(REGISTRY)
    text = system_block(system_values) + user_block(user_rows, _reserved_names())
    return text.encode() + app_metrics
