"""The alert evaluator: every active or silenced alert's rule over the stored data, then the
state machine (crossing → firing, event, incident; recovering → resolved).

Silenced alerts are evaluated and their state tracked, but they record no event and open no
incident. A rule window with no samples (avg/min/max/last) has no value: it does not fire, and
a firing alert whose data stopped arriving resolves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import asyncpg
import structlog

from starter.core.config import Settings
from starter.core.db import Connection, Record
from starter.monitoring.alerts import evaluation_repository as repo
from starter.monitoring.alerts.rules import (
    Comparison,
    EventsRule,
    MetricRule,
    Rule,
    RuleSyntaxError,
    TasksRule,
    format_rule,
    parse_rule,
    rule_from_json,
)
from starter.monitoring.common import notify
from starter.monitoring.events import service as events
from starter.monitoring.events.service import record_event
from starter.monitoring.incidents import service as incidents
from starter.monitoring.metrics import service as metrics

log = structlog.get_logger(__name__)

# The tasks domain's count of tasks in a status (only those in it since before the given time,
# when one is given). Passed in by the caller: monitoring sits below tasks in the import layers.
TaskCounter = Callable[[Connection, str, datetime | None], Awaitable[int]]
Change = Literal["fired", "resolved", "unchanged", "skipped"]
ERROR_SEVERITIES = frozenset({"high", "critical"})


@dataclass(frozen=True)
class AlertOutcome:
    alert_id: UUID
    name: str
    status: str
    value: float | None
    comparison: str | None
    firing: bool
    change: Change
    reason: str | None = None
    incident_id: UUID | None = None


@dataclass
class EvaluationSummary:
    evaluated_at: datetime
    outcomes: list[AlertOutcome] = field(default_factory=list)

    def count(self, change: Change) -> int:
        return sum(1 for outcome in self.outcomes if outcome.change == change)


async def evaluate_alerts(
    conn: Connection, now: datetime | None = None, *, count_tasks: TaskCounter
) -> EvaluationSummary:
    """Evaluate every active or silenced alert once; each state change is one transaction."""
    at = now or await repo.database_now(conn)
    summary = EvaluationSummary(evaluated_at=at)
    for alert in await repo.evaluable_alerts(conn):
        summary.outcomes.append(await _evaluate_one(conn, alert, at, count_tasks))
    return summary


async def run_alert_evaluation(
    conn: Connection, settings: Settings, *, count_tasks: TaskCounter
) -> EvaluationSummary:
    """The worker's periodic job."""
    summary = await evaluate_alerts(conn, count_tasks=count_tasks)
    log.info(
        "monitoring.alerts_evaluated",
        alerts=len(summary.outcomes),
        fired=summary.count("fired"),
        resolved=summary.count("resolved"),
        skipped=summary.count("skipped"),
    )
    return summary


def load_rule(alert: Record) -> Rule:
    """The stored typed rule; the query text for rows stored before the rule was."""
    if alert["rule"]:
        return rule_from_json(alert["rule"])
    return parse_rule(alert["query"])


async def rule_value(
    conn: Connection, rule: Rule, now: datetime, count_tasks: TaskCounter
) -> float | None:
    if isinstance(rule, MetricRule):
        return await metrics.aggregate(
            conn,
            name=rule.name,
            aggregation=rule.aggregation,
            after=now - timedelta(seconds=rule.window_seconds),
            until=now,
            labels=dict(rule.where),
        )
    if isinstance(rule, EventsRule):
        filters = {"event_type": rule.event_type, "level": rule.level, "source": rule.source}
        after = now - timedelta(seconds=rule.window_seconds)
        return float(await events.count_events(conn, after=after, until=now, filters=filters))
    if isinstance(rule, TasksRule):
        older = rule.older_than_seconds
        before = None if older is None else now - timedelta(seconds=older)
        return float(await count_tasks(conn, rule.status, before))
    raise TypeError(f"not a rule: {rule!r}")


async def _evaluate_one(
    conn: Connection, alert: Record, now: datetime, count_tasks: TaskCounter
) -> AlertOutcome:
    def outcome(change: Change, value: float | None, firing: bool, **extra: Any) -> AlertOutcome:
        shown = f"{comparison.op} {comparison.threshold:g}" if comparison else None
        return AlertOutcome(
            alert["id"], alert["name"], alert["status"], value, shown, firing, change, **extra
        )

    comparison: Comparison | None = None
    try:
        rule = load_rule(alert)
    except RuleSyntaxError as error:
        await repo.record_observation(conn, alert["id"], None, now)
        return outcome("skipped", None, alert["firing"], reason=f"invalid rule: {error.message}")
    comparison = rule.effective_comparison(alert["threshold_value"])
    try:
        # Its own (sub)transaction: a failing statement must not poison the caller's.
        async with conn.transaction():
            value = await rule_value(conn, rule, now, count_tasks)
    except asyncpg.PostgresError as error:  # e.g. float overflow summing huge samples
        return outcome("skipped", None, alert["firing"], reason=f"cannot compute: {error}")
    if comparison is None:
        await repo.record_observation(conn, alert["id"], value, now)
        return outcome(
            "skipped", value, alert["firing"], reason="no threshold_value and no comparison"
        )
    breached = value is not None and comparison.holds(value)
    async with conn.transaction():
        current = await repo.lock_alert(conn, alert["id"])
        if current is None:  # deleted or resolved by hand meanwhile
            return outcome("skipped", value, False, reason="no longer active")
        silenced = current["status"] == "silenced"
        if breached and not current["firing"]:
            await repo.mark_firing(conn, alert["id"], value, now)
            incident_id = None
            if not silenced:
                await _announce_firing(conn, alert, rule, comparison, value)
                if alert["open_incident"]:
                    incident_id = await _open_incident(conn, alert, comparison, value)
            await _notify(conn, alert, current["status"], "fired", value, comparison)
            return outcome("fired", value, True, incident_id=incident_id)
        if not breached and current["firing"]:
            await repo.mark_resolved(conn, alert["id"], value, now)
            if not silenced:
                await _announce_recovery(conn, alert, comparison, value)
            await _notify(conn, alert, current["status"], "resolved", value, comparison)
            return outcome("resolved", value, False)
        await repo.record_observation(conn, alert["id"], value, now)
        return outcome("unchanged", value, bool(current["firing"]))


def _describe(value: float | None, comparison: Comparison) -> str:
    shown = "no data" if value is None else f"{value:g}"
    return f"value {shown}, condition {comparison.op} {comparison.threshold:g}"


async def _announce_firing(
    conn: Connection, alert: Record, rule: Rule, comparison: Comparison, value: float | None
) -> None:
    level = "error" if alert["incident_severity"] in ERROR_SEVERITIES else "warn"
    await record_event(
        conn,
        event_type="alert",
        source="monitoring",
        level=level,
        message=f"Alert '{alert['name']}' fired: {_describe(value, comparison)}",
        tags={"alert_id": str(alert["id"]), "alert_name": alert["name"], "state": "firing"},
        payload={
            "value": value,
            "op": comparison.op,
            "threshold": comparison.threshold,
            "rule": format_rule(rule),
        },
    )


async def _announce_recovery(
    conn: Connection, alert: Record, comparison: Comparison, value: float | None
) -> None:
    await record_event(
        conn,
        event_type="alert",
        source="monitoring",
        level="info",
        message=f"Alert '{alert['name']}' resolved: {_describe(value, comparison)}",
        tags={"alert_id": str(alert["id"]), "alert_name": alert["name"], "state": "resolved"},
        payload={"value": value, "op": comparison.op, "threshold": comparison.threshold},
    )


async def _open_incident(
    conn: Connection, alert: Record, comparison: Comparison, value: float | None
) -> UUID:
    """A new incident, unless the one this alert opened last time is still open."""
    existing = await incidents.still_open(conn, alert["incident_id"])
    if existing is not None:
        return existing
    incident_id = await incidents.open_for_alert(
        conn,
        title=f"Alert: {alert['name']}"[:255],
        description=(
            f"Opened automatically by alert '{alert['name']}': {_describe(value, comparison)}. "
            f"Rule: {alert['query']}"
        ),
        severity=alert["incident_severity"],
        created_by=alert["created_by"],
    )
    await repo.link_incident(conn, alert["id"], incident_id)
    return incident_id


async def _notify(
    conn: Connection,
    alert: Record,
    status: str,
    action: str,
    value: float | None,
    comparison: Comparison,
) -> None:
    await notify(
        conn,
        {
            "kind": "alert",
            "id": str(alert["id"]),
            "action": action,
            "name": alert["name"][:200],
            "status": status,
            "firing": action == "fired",
            "value": value,
            "op": comparison.op,
            "threshold": comparison.threshold,
        },
    )
