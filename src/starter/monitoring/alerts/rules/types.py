"""The typed alert rules (what `parser.parse_rule` produces and the evaluator runs)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

Aggregation = Literal["avg", "min", "max", "sum", "count", "last"]
Operator = Literal[">", "<", ">=", "<=", "=="]
TaskStatus = Literal["pending", "running", "completed", "failed", "cancelled", "retrying"]
EventType = Literal["log", "metric", "trace", "alert"]

AGGREGATIONS: tuple[Aggregation, ...] = ("avg", "min", "max", "sum", "count", "last")
OPERATORS: tuple[Operator, ...] = (">", "<", ">=", "<=", "==")
TASK_STATUSES: tuple[TaskStatus, ...] = (
    "pending",
    "running",
    "completed",
    "failed",
    "cancelled",
    "retrying",
)
EVENT_TYPES: tuple[EventType, ...] = ("log", "metric", "trace", "alert")
EVENT_FILTERS = ("event_type", "level", "source")

MAX_WINDOW_SECONDS = 30 * 24 * 3600
MAX_WHERE_PAIRS = 10
MAX_VALUE_LENGTH = 200
NAME_RE = re.compile(r"[A-Za-z_:][A-Za-z0-9_:.\-]{0,99}", re.ASCII)
BARE_VALUE_RE = re.compile(r"[A-Za-z0-9_:./@+\-]+", re.ASCII)
DURATION_RE = re.compile(r"(\d{1,10})([smh])", re.ASCII)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Comparison:
    """`value <op> threshold`; a rule's own comparison overrides the alert's threshold."""

    op: Operator
    threshold: float

    def holds(self, value: float) -> bool:
        match self.op:
            case ">":
                return value > self.threshold
            case "<":
                return value < self.threshold
            case ">=":
                return value >= self.threshold
            case "<=":
                return value <= self.threshold
            case "==":
                return value == self.threshold

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "threshold": self.threshold}


class Rule:
    """Base of the typed rules; `codec.rule_from_json` rebuilds whichever kind was stored."""

    kind: ClassVar[str]
    comparison: Comparison | None

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def effective_comparison(self, threshold_value: float | None) -> Comparison | None:
        """The rule's own comparison, else `> threshold_value`, else None (nothing to compare)."""
        if self.comparison is not None:
            return self.comparison
        if threshold_value is None:
            return None
        return Comparison(">", float(threshold_value))


@dataclass(frozen=True)
class MetricRule(Rule):
    kind: ClassVar[str] = "metric"
    name: str
    aggregation: Aggregation
    window_seconds: int
    where: tuple[tuple[str, str], ...] = ()
    comparison: Comparison | None = None

    def __post_init__(self) -> None:
        # Canonical order, so equal label sets compare equal whatever order they were written in.
        object.__setattr__(self, "where", tuple(sorted(self.where)))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "aggregation": self.aggregation,
            "window_seconds": self.window_seconds,
            "where": [[key, value] for key, value in self.where],
            "comparison": _comparison_json(self.comparison),
        }


@dataclass(frozen=True)
class EventsRule(Rule):
    kind: ClassVar[str] = "events"
    window_seconds: int
    event_type: EventType | None = None
    level: str | None = None
    source: str | None = None
    comparison: Comparison | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "event_type": self.event_type,
            "level": self.level,
            "source": self.source,
            "window_seconds": self.window_seconds,
            "comparison": _comparison_json(self.comparison),
        }


@dataclass(frozen=True)
class TasksRule(Rule):
    kind: ClassVar[str] = "tasks"
    status: TaskStatus
    older_than_seconds: int | None = None
    comparison: Comparison | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "older_than_seconds": self.older_than_seconds,
            "comparison": _comparison_json(self.comparison),
        }


def _comparison_json(comparison: Comparison | None) -> dict[str, Any] | None:
    return None if comparison is None else comparison.to_json()
