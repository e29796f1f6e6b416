"""Rules to and from text (`format_rule`) and their stored JSON (`rule_from_json`)."""

from __future__ import annotations

from starter.monitoring.alerts.rules.lexer import RuleSyntaxError
from starter.monitoring.alerts.rules.parser import parse_rule
from starter.monitoring.alerts.rules.types import (
    BARE_VALUE_RE,
    EVENT_FILTERS,
    UNIT_SECONDS,
    Comparison,
    EventsRule,
    MetricRule,
    Rule,
    TasksRule,
)


def format_rule(rule: Rule) -> str:
    """The canonical text of a rule: `parse_rule(format_rule(rule)) == rule`."""
    parts: list[str]
    if isinstance(rule, MetricRule):
        parts = ["metric", rule.name, rule.aggregation, "over", _format_duration(rule)]
        if rule.where:
            pairs = ",".join(f"{key}={_format_value(value)}" for key, value in rule.where)
            parts += ["where", pairs]
    elif isinstance(rule, EventsRule):
        parts = ["events"]
        for key in EVENT_FILTERS:
            value = getattr(rule, key)
            if value is not None:
                parts.append(f"{key}={_format_value(value)}")
        parts += ["count", "over", _format_duration(rule)]
    elif isinstance(rule, TasksRule):
        parts = ["tasks", rule.status, "count"]
        if rule.older_than_seconds is not None:
            parts += ["older", "than", _format_seconds(rule.older_than_seconds, "mh")]
    else:
        raise TypeError(f"not a rule: {rule!r}")
    if rule.comparison is not None:
        parts += [rule.comparison.op, _format_number(rule.comparison.threshold)]
    return " ".join(parts)


def _format_duration(rule: MetricRule | EventsRule) -> str:
    return _format_seconds(rule.window_seconds, "smh")


def _format_seconds(seconds: int, units: str) -> str:
    for unit in reversed(units):
        if seconds % UNIT_SECONDS[unit] == 0:
            return f"{seconds // UNIT_SECONDS[unit]}{unit}"
    raise ValueError(f"{seconds} seconds cannot be written in units {units}")


def _format_value(value: str) -> str:
    if BARE_VALUE_RE.fullmatch(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _format_number(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def rule_from_json(data: object) -> Rule:
    """Rebuild a rule from `to_json()` output (as stored in alerts.rule) by re-parsing it."""
    try:
        rule = _rule_from_dict(data)
        # Through the language, so a stored rule is held to the same limits as typed text.
        text = format_rule(rule)
    except RuleSyntaxError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RuleSyntaxError(f"stored rule is malformed: {error}") from None
    return parse_rule(text)


def _rule_from_dict(data: object) -> Rule:
    if not isinstance(data, dict):
        raise TypeError("expected an object")
    raw = data.get("comparison")
    comparison = None if raw is None else Comparison(raw["op"], float(raw["threshold"]))
    kind = data.get("kind")
    if kind == "metric":
        return MetricRule(
            name=str(data["name"]),
            aggregation=data["aggregation"],
            window_seconds=int(data["window_seconds"]),
            where=tuple((str(key), str(value)) for key, value in data.get("where") or ()),
            comparison=comparison,
        )
    if kind == "events":
        return EventsRule(
            window_seconds=int(data["window_seconds"]),
            event_type=data.get("event_type"),
            level=data.get("level"),
            source=data.get("source"),
            comparison=comparison,
        )
    if kind == "tasks":
        older = data.get("older_than_seconds")
        return TasksRule(
            status=data["status"],
            older_than_seconds=None if older is None else int(older),
            comparison=comparison,
        )
    raise ValueError(f"unknown rule kind {kind!r}")
