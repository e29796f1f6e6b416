"""The alert evaluator: every active or silenced alert's rule over the stored data, then the
state machine (crossing → firing, event, incident; recovering → resolved).

Silenced alerts are evaluated and their state tracked, but they record no event and open no
incident. A rule window with no samples (avg/min/max/last) has no value: it does not fire, and
a firing alert whose data stopped arriving resolves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg
import structlog

from starter.core.config import Settings
from starter.core.db import Connection, Record
from starter.monitoring import evaluation_repository as repo
from starter.monitoring.incident_repository import insert_incident
from starter.monitoring.repository import notify
from starter.monitoring.rules import (
    Comparison,
    EventsRule,
    MetricRule,
    Rule,
    RuleSyntaxError,
    TasksRule,
    format_rule,
    parse_rule,
)
from starter.monitoring.service import record_event

log = structlog.get_logger(__name__)

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


async def evaluate_alerts(conn: Connection, now: datetime | None = None) -> EvaluationSummary:
    """Evaluate every active or silenced alert once; each state change is one transaction."""
    at = now or await repo.database_now(conn)
    summary = EvaluationSummary(evaluated_at=at)
    for alert in await repo.evaluable_alerts(conn):
        summary.outcomes.append(await _evaluate_one(conn, alert, at))
    return summary


async def run_alert_evaluation(conn: Connection, settings: Settings) -> EvaluationSummary:
    """The worker's periodic job."""
    summary = await evaluate_alerts(conn)
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
        return Rule.from_json(alert["rule"])
    return parse_rule(alert["query"])


async def rule_value(conn: Connection, rule: Rule, now: datetime) -> float | None:
    if isinstance(rule, MetricRule):
        return await repo.metric_value(conn, rule, now)
    if isinstance(rule, EventsRule):
        return await repo.events_count(conn, rule, now)
    if isinstance(rule, TasksRule):
        return await repo.tasks_count(conn, rule, now)
    raise TypeError(f"not a rule: {rule!r}")


async def _evaluate_one(conn: Connection, alert: Record, now: datetime) -> AlertOutcome:
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
            value = await rule_value(conn, rule, now)
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
    existing = await repo.open_incident_id(conn, alert["incident_id"])
    if existing is not None:
        return existing
    row = await insert_incident(
        conn,
        title=f"Alert: {alert['name']}"[:255],
        description=(
            f"Opened automatically by alert '{alert['name']}': {_describe(value, comparison)}. "
            f"Rule: {alert['query']}"
        ),
        severity=alert["incident_severity"],
        created_by=alert["created_by"],
        assigned_to=None,
    )
    await repo.link_incident(conn, alert["id"], row["id"])
    await notify(
        conn,
        {
            "kind": "incident",
            "id": str(row["id"]),
            "action": "created",
            "status": row["status"],
            "severity": row["severity"],
            "title": row["title"][:200],
            "created_by": _text(row["created_by"]),
            "assigned_to": _text(row["assigned_to"]),
        },
    )
    incident_id: UUID = row["id"]
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


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)
