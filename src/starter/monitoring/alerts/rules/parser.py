"""Recursive-descent parser of the alert rule language (see `rules`)."""

from __future__ import annotations

import math
from typing import cast

from starter.monitoring.alerts.rules.lexer import (
    END,
    NUMBER_RE,
    RuleSyntaxError,
    TokenStream,
    tokenize,
)
from starter.monitoring.alerts.rules.types import (
    AGGREGATIONS,
    BARE_VALUE_RE,
    DURATION_RE,
    EVENT_FILTERS,
    EVENT_TYPES,
    MAX_VALUE_LENGTH,
    MAX_WHERE_PAIRS,
    MAX_WINDOW_SECONDS,
    NAME_RE,
    TASK_STATUSES,
    UNIT_SECONDS,
    Comparison,
    EventsRule,
    EventType,
    MetricRule,
    Operator,
    Rule,
    TasksRule,
)


def parse_rule(text: str) -> Rule:
    """Parse a rule; raise RuleSyntaxError naming the problem and where it is."""
    stream = TokenStream(tokenize(text))
    head = stream.next()
    keyword = head.keyword()
    if head.kind == END:
        raise RuleSyntaxError("rule is empty; expected 'metric', 'events' or 'tasks'")
    rule: Rule
    if keyword == "metric":
        rule = _parse_metric(stream)
    elif keyword == "events":
        rule = _parse_events(stream)
    elif keyword == "tasks":
        rule = _parse_tasks(stream)
    elif head.kind == "word" and NAME_RE.fullmatch(head.text) and _operator_follows(stream):
        rule = _parse_plain(head.text, stream)
    else:
        raise RuleSyntaxError(
            f"expected 'metric', 'events' or 'tasks' at the start of the rule, got {head.shown()}",
            head.position,
        )
    return rule


def _operator_follows(stream: TokenStream) -> bool:
    """Whether a comparison operator comes next (else the rule's start is what is wrong)."""
    try:
        return stream.peek().kind == "operator"
    except RuleSyntaxError:
        return False


def _parse_plain(name: str, stream: TokenStream) -> MetricRule:
    """`<metric_name> <op> <number>` (the form v1 clients send): the metric's latest value."""
    comparison = _parse_comparison(stream)
    return MetricRule(
        name=name, aggregation="last", window_seconds=MAX_WINDOW_SECONDS, comparison=comparison
    )


def _parse_metric(stream: TokenStream) -> MetricRule:
    name_token = stream.next()
    if name_token.kind != "word" or not NAME_RE.fullmatch(name_token.text):
        raise RuleSyntaxError(
            "expected a metric name (a letter, '_' or ':' then up to 99 letters, digits, "
            f"'_', ':', '.' or '-') after 'metric', got {name_token.shown()}",
            name_token.position,
        )
    agg_token = stream.next()
    aggregation = agg_token.keyword()
    if aggregation not in AGGREGATIONS:
        raise RuleSyntaxError(
            "expected an aggregation (avg, min, max, sum, count, last) after the metric name, "
            f"got {agg_token.shown()}",
            agg_token.position,
        )
    window = _parse_over(stream, "after the aggregation")
    where: list[tuple[str, str]] = []
    if stream.peek().keyword() == "where":
        stream.next()
        where = _parse_where(stream)
    comparison = _parse_comparison(stream)
    return MetricRule(
        name=name_token.text,
        aggregation=aggregation,
        window_seconds=window,
        where=tuple(where),
        comparison=comparison,
    )


def _parse_where(stream: TokenStream) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    while True:
        key_token = stream.next()
        if key_token.kind != "word" or not NAME_RE.fullmatch(key_token.text):
            raise RuleSyntaxError(
                f"expected a label name in 'where', got {key_token.shown()}", key_token.position
            )
        if key_token.text in seen:
            raise RuleSyntaxError(
                f"label '{key_token.text}' appears twice in 'where'", key_token.position
            )
        seen.add(key_token.text)
        stream.expect_punct("=", f"after the label name '{key_token.text}'")
        pairs.append((key_token.text, _parse_value(stream, f"label '{key_token.text}'")))
        if len(pairs) > MAX_WHERE_PAIRS:
            raise RuleSyntaxError(
                f"too many labels in 'where' (at most {MAX_WHERE_PAIRS})", key_token.position
            )
        if stream.peek().text != "," or stream.peek().kind != "punct":
            return pairs
        stream.next()


def _parse_events(stream: TokenStream) -> EventsRule:
    filters: dict[str, str] = {}
    while stream.peek().keyword() != "count":
        key_token = stream.next()
        key = key_token.keyword()
        if key not in EVENT_FILTERS:
            raise RuleSyntaxError(
                "expected a filter (event_type=, level=, source=) or 'count' in an events rule, "
                f"got {key_token.shown()}",
                key_token.position,
            )
        if key in filters:
            raise RuleSyntaxError(f"filter '{key}' appears twice", key_token.position)
        stream.expect_punct("=", f"after '{key}'")
        value_position = stream.peek().position
        value = _parse_value(stream, f"'{key}'")
        if key == "event_type" and value not in EVENT_TYPES:
            raise RuleSyntaxError(
                f"event_type must be one of log, metric, trace, alert, got '{value}'",
                value_position,
            )
        filters[key] = value
    stream.next()
    window = _parse_over(stream, "after 'count'")
    comparison = _parse_comparison(stream)
    return EventsRule(
        window_seconds=window,
        event_type=cast(EventType | None, filters.get("event_type")),
        level=filters.get("level"),
        source=filters.get("source"),
        comparison=comparison,
    )


def _parse_tasks(stream: TokenStream) -> TasksRule:
    status_token = stream.next()
    status = status_token.keyword()
    if status not in TASK_STATUSES:
        raise RuleSyntaxError(
            "expected a task status (pending, running, completed, failed, cancelled, retrying) "
            f"after 'tasks', got {status_token.shown()}",
            status_token.position,
        )
    stream.expect_keyword("count", "after the task status")
    older_than: int | None = None
    if stream.peek().keyword() == "older":
        stream.next()
        stream.expect_keyword("than", "after 'older'")
        older_than = _parse_duration(stream, "after 'older than'", units="mh")
    comparison = _parse_comparison(stream)
    return TasksRule(status=status, older_than_seconds=older_than, comparison=comparison)


def _parse_over(stream: TokenStream, where: str) -> int:
    stream.expect_keyword("over", where)
    return _parse_duration(stream, "after 'over'", units="smh")


def _parse_duration(stream: TokenStream, where: str, *, units: str) -> int:
    token = stream.next()
    shown_units = "|".join(units)
    match = DURATION_RE.fullmatch(token.text) if token.kind == "word" else None
    if match is None or match.group(2) not in units:
        raise RuleSyntaxError(
            f"expected a duration like 5m (<number><{shown_units}>) {where}, got {token.shown()}",
            token.position,
        )
    seconds = int(match.group(1)) * UNIT_SECONDS[match.group(2)]
    minimum = UNIT_SECONDS[units[0]]
    if not minimum <= seconds <= MAX_WINDOW_SECONDS:
        low = "1s" if minimum == 1 else "1m"
        raise RuleSyntaxError(
            f"duration '{token.text}' is out of range ({low} to 30 days)", token.position
        )
    return seconds


def _parse_value(stream: TokenStream, what: str) -> str:
    token = stream.next()
    bare = token.kind == "word" and BARE_VALUE_RE.fullmatch(token.text) is not None
    if token.kind == "string" or bare:
        value = token.text
    else:
        raise RuleSyntaxError(f"expected a value for {what}, got {token.shown()}", token.position)
    if len(value) > MAX_VALUE_LENGTH:
        raise RuleSyntaxError(
            f"value for {what} is longer than {MAX_VALUE_LENGTH} characters", token.position
        )
    return value


def _parse_comparison(stream: TokenStream) -> Comparison | None:
    token = stream.next()
    if token.kind == END:
        return None
    if token.kind != "operator":
        raise RuleSyntaxError(
            f"expected a comparison (<, <=, >, >=, == followed by a number) or the end of the "
            f"rule, got {token.shown()}",
            token.position,
        )
    number = stream.next()
    if number.kind != "word" or not NUMBER_RE.fullmatch(number.text):
        raise RuleSyntaxError(
            f"expected a number after '{token.text}', got {number.shown()}", number.position
        )
    threshold = float(number.text)
    if not math.isfinite(threshold):
        raise RuleSyntaxError(f"number '{number.text}' is out of range", number.position)
    trailing = stream.next()
    if trailing.kind != END:
        raise RuleSyntaxError(
            f"unexpected {trailing.shown()} after the comparison; the comparison ends the rule",
            trailing.position,
        )
    return Comparison(cast(Operator, token.text), threshold + 0.0)
