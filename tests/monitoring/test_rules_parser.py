"""The alert rule language: concrete valid/invalid rules, round-trips, junk rejection."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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

VALID: list[tuple[str, Rule]] = [
    ("metric cpu avg over 5m", MetricRule("cpu", "avg", 300)),
    ("METRIC cpu MAX OVER 90s", MetricRule("cpu", "max", 90)),
    ("metric app:latency.p99-ms last over 1s", MetricRule("app:latency.p99-ms", "last", 1)),
    ("metric cpu count over 720h", MetricRule("cpu", "count", 30 * 24 * 3600)),
    (
        'metric http_requests sum over 1h where route="/api/v1/x y",method=GET',
        MetricRule("http_requests", "sum", 3600, (("method", "GET"), ("route", "/api/v1/x y"))),
    ),
    (
        "metric q min over 10m where a = 1 , b='it s' < 2",
        MetricRule("q", "min", 600, (("a", "1"), ("b", "it s")), Comparison("<", 2)),
    ),
    (
        r'metric q min over 10m where a="say \"hi\"" >= 2.5',
        MetricRule("q", "min", 600, (("a", 'say "hi"'),), Comparison(">=", 2.5)),
    ),
    ("events count over 5m", EventsRule(300)),
    (
        "events source=api level=error event_type=log count over 15m > 10",
        EventsRule(900, "log", "error", "api", Comparison(">", 10)),
    ),
    (
        "events level='warn' count over 1h == 0",
        EventsRule(3600, None, "warn", None, Comparison("==", 0)),
    ),
    ("tasks failed count", TasksRule("failed")),
    (
        "tasks pending count older than 10m <= -1e3",
        TasksRule("pending", 600, Comparison("<=", -1000)),
    ),
    ("tasks RETRYING count older than 2h", TasksRule("retrying", 7200)),
    # The plain form v1 clients send: the metric's latest value.
    ("cpu_usage > 80", MetricRule("cpu_usage", "last", 30 * 24 * 3600, (), Comparison(">", 80))),
    (
        "app:latency.p99<=0.25",
        MetricRule("app:latency.p99", "last", 2592000, (), Comparison("<=", 0.25)),
    ),
    ("Errors == -1", MetricRule("Errors", "last", 2592000, (), Comparison("==", -1))),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid_rules_parse_to_typed_rules(text: str, expected: Rule) -> None:
    rule = parse_rule(text)
    assert rule == expected
    assert parse_rule(format_rule(rule)) == rule
    assert rule_from_json(json.loads(json.dumps(rule.to_json()))) == rule


def test_canonical_text() -> None:
    rule = parse_rule('metric  m  AVG  over 120s where z=1, a="b c"   ==  3.0')
    assert format_rule(rule) == 'metric m avg over 2m where a="b c",z=1 == 3'
    assert format_rule(parse_rule("events source=x level=y count over 3600s")) == (
        "events level=y source=x count over 1h"
    )
    assert format_rule(parse_rule("tasks running count older than 120m > 0.5")) == (
        "tasks running count older than 2h > 0.5"
    )


INVALID: list[tuple[str, str]] = [
    ("cpu_usage > high", "expected a number after '>', got 'high' at position 13"),
    ("cpu_usage >", "expected a number after '>', got the end of the rule at position 12"),
    (
        "cpu_usage > 80 for 5m",
        "unexpected 'for' after the comparison; the comparison ends the rule at position 16",
    ),
    (
        "cpu_usage is high",
        "expected 'metric', 'events' or 'tasks' at the start of the rule, got 'cpu_usage' at "
        "position 1",
    ),
    ("", "rule is empty; expected 'metric', 'events' or 'tasks'"),
    ("   ", "rule is empty; expected 'metric', 'events' or 'tasks'"),
    (
        "SELECT 1",
        "expected 'metric', 'events' or 'tasks' at the start of the rule, got 'SELECT' at position 1",
    ),
    ("metric; DROP TABLE users", "unexpected character ';' at position 7"),
    (
        "metric cpu foo over 5m",
        "expected an aggregation (avg, min, max, sum, count, last) after the metric name, "
        "got 'foo' at position 12",
    ),
    (
        "metric 9cpu avg over 5m",
        "expected a metric name (a letter, '_' or ':' then up to 99 letters, digits, '_', ':', "
        "'.' or '-') after 'metric', got '9cpu' at position 8",
    ),
    ("metric cpu avg 5m", "expected 'over' after the aggregation, got '5m' at position 16"),
    (
        "metric cpu avg over 5d",
        "expected a duration like 5m (<number><s|m|h>) after 'over', got '5d' at position 21",
    ),
    ("metric cpu avg over 0s", "duration '0s' is out of range (1s to 30 days) at position 21"),
    ("metric cpu avg over 721h", "duration '721h' is out of range (1s to 30 days) at position 21"),
    (
        "metric cpu avg over 5m where",
        "expected a label name in 'where', got the end of the rule at position 29",
    ),
    (
        "metric cpu avg over 5m where a",
        "expected '=' after the label name 'a', got the end of the rule at position 31",
    ),
    (
        "metric cpu avg over 5m where a=1,a=2",
        "label 'a' appears twice in 'where' at position 34",
    ),
    (
        "metric cpu avg over 5m where a=%",
        "unexpected character '%' at position 32",
    ),
    ('metric cpu avg over 5m where a="x', "unterminated quoted value at position 32"),
    (
        'metric cpu avg over 5m where a="\x00"',
        "quoted value contains the character '\\x00' at position 33",
    ),
    (
        "metric cpu avg over 5m where " + ",".join(f"k{i}=v" for i in range(11)),
        "too many labels in 'where' (at most 10) at position 80",
    ),
    (
        "metric cpu avg over 5m where a=" + "x" * 201,
        "value for label 'a' is longer than 200 characters at position 32",
    ),
    (
        "metric cpu avg over 5m where a=1 b=2",
        "expected a comparison (<, <=, >, >=, == followed by a number) or the end of the rule, "
        "got 'b' at position 34",
    ),
    (
        "metric cpu avg over 5m >",
        "expected a number after '>', got the end of the rule at position 25",
    ),
    ("metric cpu avg over 5m > ten", "expected a number after '>', got 'ten' at position 26"),
    ("metric cpu avg over 5m > 1e999", "number '1e999' is out of range at position 26"),
    ("metric cpu avg over 5m != 3", "unexpected character '!' at position 24"),
    (
        "metric cpu avg over 5m > 3 < 4",
        "unexpected '<' after the comparison; the comparison ends the rule at position 28",
    ),
    (
        "events kind=log count over 5m",
        "expected a filter (event_type=, level=, source=) or 'count' in an events rule, "
        "got 'kind' at position 8",
    ),
    (
        "events event_type=metrics count over 5m",
        "event_type must be one of log, metric, trace, alert, got 'metrics' at position 19",
    ),
    ("events level=a level=b count over 5m", "filter 'level' appears twice at position 16"),
    ("events level count over 5m", "expected '=' after 'level', got 'count' at position 14"),
    (
        "events count",
        "expected 'over' after 'count', got the end of the rule at position 13",
    ),
    (
        "tasks done count",
        "expected a task status (pending, running, completed, failed, cancelled, retrying) "
        "after 'tasks', got 'done' at position 7",
    ),
    (
        "tasks failed",
        "expected 'count' after the task status, got the end of the rule at position 13",
    ),
    (
        "tasks failed count older 5m",
        "expected 'than' after 'older', got '5m' at position 26",
    ),
    (
        "tasks failed count older than 30s",
        "expected a duration like 5m (<number><m|h>) after 'older than', got '30s' at position 31",
    ),
    ("x" * 1001, "rule is longer than 1000 characters"),
    (
        # No SQL-style quote doubling: adjacent quoted values are two tokens.
        "metric q min over 1m where b='it''s'",
        "expected a comparison (<, <=, >, >=, == followed by a number) or the end of the rule, "
        'got the quoted value "s" at position 34',
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_rules_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as error:
        parse_rule(text)
    assert error.value.message == message
    assert str(error.value) == message


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"kind": "sql", "query": "SELECT 1"},
        {"kind": "metric", "name": "x; DROP", "aggregation": "avg", "window_seconds": 60},
        {"kind": "metric", "name": "x", "aggregation": "median", "window_seconds": 60},
        {"kind": "tasks", "status": "failed", "older_than_seconds": 30},
        {"kind": "events", "window_seconds": 60, "comparison": {"op": "!=", "threshold": 1}},
    ],
)
def test_malformed_stored_rules_are_rejected(data: object) -> None:
    with pytest.raises(RuleSyntaxError):
        rule_from_json(data)


# --- property-based ------------------------------------------------------------------------

names = st.from_regex(r"\A[A-Za-z_:][A-Za-z0-9_:.\-]{0,20}\Z")
values = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30) | st.from_regex(
    r"\A[A-Za-z0-9_:./@+\-]{1,10}\Z"
)
seconds = st.integers(1, 30 * 24 * 3600)
minutes = st.integers(1, 30 * 24 * 60).map(lambda m: m * 60)
numbers = st.floats(allow_nan=False, allow_infinity=False)
comparisons = st.none() | st.builds(
    Comparison, st.sampled_from([">", "<", ">=", "<=", "=="]), numbers
)
metric_rules = st.builds(
    MetricRule,
    name=names,
    aggregation=st.sampled_from(["avg", "min", "max", "sum", "count", "last"]),
    window_seconds=seconds,
    where=st.dictionaries(names, values, max_size=10).map(lambda d: tuple(d.items())),
    comparison=comparisons,
)
events_rules = st.builds(
    EventsRule,
    window_seconds=seconds,
    event_type=st.none() | st.sampled_from(["log", "metric", "trace", "alert"]),
    level=st.none() | values,
    source=st.none() | values,
    comparison=comparisons,
)
tasks_rules = st.builds(
    TasksRule,
    status=st.sampled_from(["pending", "running", "completed", "failed", "cancelled", "retrying"]),
    older_than_seconds=st.none() | minutes,
    comparison=comparisons,
)
rules = metric_rules | events_rules | tasks_rules


@given(rules)
@settings(max_examples=400)
def test_format_then_parse_round_trips(rule: Rule) -> None:
    text = format_rule(rule)
    assert parse_rule(text) == rule
    assert rule_from_json(json.loads(json.dumps(rule.to_json()))) == rule


rule_words = st.sampled_from(
    [
        "metric",
        "events",
        "tasks",
        "count",
        "over",
        "where",
        "older",
        "than",
        "avg",
        "last",
        "failed",
        "level=",
        "source=",
        "event_type=log",
        "5m",
        "0s",
        "1h",
        ">",
        "<=",
        "==",
        "3",
        "-1.5",
        "a=b",
        ",",
        "=",
        '"q"',
        "'",
        '"',
        "\\",
        "x",
        "\x00",
        "ü",
        " ",
        "9",
        "1e999",
    ]
)


@given(st.lists(rule_words, max_size=14).map(" ".join) | st.text(max_size=200))
@settings(max_examples=600)
def test_junk_is_rejected_with_rule_syntax_error_only(text: str) -> None:
    try:
        rule = parse_rule(text)
    except RuleSyntaxError as error:
        assert error.message
        return
    # Whatever parses is a well-formed rule that survives the round trip.
    assert parse_rule(format_rule(rule)) == rule
