"""What each rule computes over real stored rows: aggregations, windows, labels, comparators,
events counts and task counts."""

from __future__ import annotations

import asyncpg
import pytest

from starter.monitoring.alerts.rules import parse_rule
from tests.monitoring.alert_fixtures import (
    NOW,
    add_alert,
    add_event,
    add_metric,
    add_task,
    ago,
    evaluate_alerts,
    rule_value,
)


async def value_of(db: asyncpg.Connection, query: str) -> float | None:
    return await rule_value(db, parse_rule(query), NOW)


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("avg", 3.0), ("min", 1.0), ("max", 5.0), ("sum", 9.0), ("count", 3.0), ("last", 3.0)],
)
async def test_each_aggregation(db: asyncpg.Connection, aggregation: str, expected: float) -> None:
    await add_metric(db, "lat", 1, ago(minutes=3))
    await add_metric(db, "lat", 5, ago(minutes=2))
    await add_metric(db, "lat", 3, ago(minutes=1))  # the newest: what `last` sees
    await add_metric(db, "other", 100, ago(minutes=1))
    assert await value_of(db, f"metric lat {aggregation} over 5m") == expected


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("avg", None), ("min", None), ("max", None), ("last", None), ("sum", 0.0), ("count", 0.0)],
)
async def test_empty_window(db: asyncpg.Connection, aggregation: str, expected: float) -> None:
    assert await value_of(db, f"metric lat {aggregation} over 5m") == expected


async def test_window_excludes_rows_outside_it(db: asyncpg.Connection) -> None:
    await add_metric(db, "lat", 1000, ago(minutes=5))  # exactly at the window start: excluded
    await add_metric(db, "lat", 2000, ago(hours=2))
    await add_metric(db, "lat", 3000, ago(minutes=-1))  # after `now`: excluded
    await add_metric(db, "lat", 7, ago(minutes=4, seconds=59))
    await add_metric(db, "lat", 9, NOW)  # exactly now: included
    assert await value_of(db, "metric lat sum over 5m") == 16
    assert await value_of(db, "metric lat sum over 300s") == 16
    assert await value_of(db, "metric lat count over 3h") == 4
    assert await value_of(db, "metric lat last over 1s") == 9


async def test_where_filters_by_labels(db: asyncpg.Connection) -> None:
    await add_metric(db, "req", 10, ago(seconds=5), {"route": "/a", "method": "GET"})
    await add_metric(db, "req", 20, ago(seconds=5), {"route": "/a", "method": "POST"})
    await add_metric(db, "req", 40, ago(seconds=5), {"route": "/b x", "method": "GET"})
    await add_metric(db, "req", 80, ago(seconds=5), {})
    assert await value_of(db, "metric req sum over 1m") == 150
    assert await value_of(db, "metric req sum over 1m where route=/a") == 30
    assert await value_of(db, "metric req sum over 1m where method=GET,route=/a") == 10
    assert await value_of(db, 'metric req sum over 1m where route="/b x"') == 40
    assert await value_of(db, "metric req count over 1m where route=/c") == 0


@pytest.mark.parametrize(
    ("op", "threshold", "fires"),
    [
        (">", 5, False),
        (">", 4.9, True),
        (">=", 5, True),
        (">=", 5.1, False),
        ("<", 5, False),
        ("<", 5.1, True),
        ("<=", 5, True),
        ("<=", 4.9, False),
        ("==", 5, True),
        ("==", 5.5, False),
    ],
)
async def test_each_comparator(
    db: asyncpg.Connection, op: str, threshold: float, fires: bool
) -> None:
    # The rule's own comparison overrides the alert's threshold_value (1000 here).
    await add_alert(db, f"metric g last over 1m {op} {threshold}", 1000)
    await add_metric(db, "g", 5, ago(seconds=1))
    [outcome] = (await evaluate_alerts(db, now=NOW)).outcomes
    assert outcome.comparison == f"{op} {threshold:g}"
    assert outcome.firing is fires
    assert outcome.change == ("fired" if fires else "unchanged")


async def test_threshold_value_is_compared_with_greater_than(db: asyncpg.Connection) -> None:
    await add_alert(db, "metric g last over 1m", 5, name="at threshold")
    await add_alert(db, "metric g last over 1m", 4, name="below value")
    await add_metric(db, "g", 5, ago(seconds=1))
    outcomes = (await evaluate_alerts(db, now=NOW)).outcomes
    assert {o.name: o.firing for o in outcomes} == {"at threshold": False, "below value": True}


async def test_events_count_rule(db: asyncpg.Connection) -> None:
    await add_event(db, ago(minutes=1), level="error", source="api")
    await add_event(db, ago(minutes=2), level="error", source="api", event_type="trace")
    await add_event(db, ago(minutes=3), level="error", source="web")
    await add_event(db, ago(minutes=4), level="info", source="api")
    await add_event(db, ago(minutes=20), level="error", source="api")  # outside 10m
    assert await value_of(db, "events count over 10m") == 4
    assert await value_of(db, "events level=error count over 10m") == 3
    assert await value_of(db, "events level=error source=api count over 10m") == 2
    assert await value_of(db, "events event_type=log level=error source=api count over 10m") == 1
    assert await value_of(db, "events level=error count over 1h") == 4

    await add_alert(db, "events level=error source=api count over 10m >= 2", name="api errors")
    [outcome] = (await evaluate_alerts(db, now=NOW)).outcomes
    assert (outcome.value, outcome.change) == (2.0, "fired")


async def test_tasks_rule_with_older_than(db: asyncpg.Connection) -> None:
    await add_task(db, "pending", since=ago(minutes=30))
    await add_task(db, "pending", since=ago(minutes=5))
    await add_task(db, "pending", since=ago(minutes=-60))  # scheduled for later: not waiting
    await add_task(db, "failed", since=ago(hours=3))
    await add_task(db, "running", since=ago(hours=2))
    assert await value_of(db, "tasks pending count") == 3
    assert await value_of(db, "tasks pending count older than 10m") == 1
    assert await value_of(db, "tasks pending count older than 1m") == 2
    assert await value_of(db, "tasks running count older than 1h") == 1
    assert await value_of(db, "tasks running count older than 3h") == 0
    assert await value_of(db, "tasks failed count older than 2h") == 1
    assert await value_of(db, "tasks retrying count") == 0

    await add_alert(db, "tasks pending count older than 10m", 0, name="stuck")
    [outcome] = (await evaluate_alerts(db, now=NOW)).outcomes
    assert (outcome.value, outcome.change) == (1.0, "fired")
