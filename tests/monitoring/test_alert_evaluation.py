"""The evaluator's state machine over real stored metrics: fire, stay, resolve, silence,
incidents, notifications, skipped alerts, and the `starter admin evaluate-alerts` command."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from starter.core.config import MonitoringSettings
from starter.worker.jobs import PERIODIC_JOBS
from tests.monitoring.alert_fixtures import (
    NOW,
    Notifications,
    add_alert,
    add_metric,
    ago,
    alert_events,
    alert_row,
    evaluate_alerts,
)
from tests.support.settings import make_settings
from tests.support.users import AppUser


@pytest.fixture
async def notifications(database_url: str) -> AsyncIterator[Notifications]:
    collector = Notifications()
    await collector.start(database_url)
    yield collector
    await collector.stop()


async def test_crossing_fires_once_then_stays_firing_then_resolves(
    db: asyncpg.Connection, notifications: Notifications
) -> None:
    alert_id = await add_alert(db, "metric cpu avg over 5m", 80, name="cpu high")
    await add_metric(db, "cpu", 90, ago(minutes=1))
    await add_metric(db, "cpu", 95, ago(minutes=2))

    summary = await evaluate_alerts(db, now=NOW)
    [outcome] = summary.outcomes
    assert (outcome.change, outcome.value, outcome.firing, outcome.comparison) == (
        "fired",
        92.5,
        True,
        "> 80",
    )
    row = await alert_row(db, alert_id)
    assert row["firing"] is True
    assert row["triggered_at"] == NOW and row["resolved_at"] is None
    assert row["last_value"] == 92.5 and row["last_evaluated_at"] == NOW
    [event] = await alert_events(db, alert_id)
    assert (event["source"], event["level"]) == ("monitoring", "error")
    assert event["tags"] == {"alert_id": str(alert_id), "alert_name": "cpu high", "state": "firing"}
    assert event["message"] == "Alert 'cpu high' fired: value 92.5, condition > 80"
    assert event["payload"]["rule"] == "metric cpu avg over 5m"

    later = NOW.replace(second=30)
    again = await evaluate_alerts(db, now=later)
    assert [o.change for o in again.outcomes] == ["unchanged"]
    assert len(await alert_events(db, alert_id)) == 1
    assert (await alert_row(db, alert_id))["triggered_at"] == NOW

    # Ten minutes on, the samples are outside the window: no data, the alert recovers.
    recovered_at = ago(minutes=-10)
    resolved = await evaluate_alerts(db, now=recovered_at)
    assert [(o.change, o.value, o.firing) for o in resolved.outcomes] == [("resolved", None, False)]
    row = await alert_row(db, alert_id)
    assert (row["firing"], row["resolved_at"], row["triggered_at"]) == (False, recovered_at, NOW)
    assert row["last_value"] is None and row["last_evaluated_at"] == recovered_at
    events = await alert_events(db, alert_id)
    assert [(e["level"], e["tags"]["state"]) for e in events] == [
        ("error", "firing"),
        ("info", "resolved"),
    ]
    assert events[1]["message"] == "Alert 'cpu high' resolved: value no data, condition > 80"

    received = await notifications.wait_for(3)
    alert_kinds = [(n["action"], n["firing"]) for n in received if n["kind"] == "alert"]
    assert alert_kinds == [("fired", True), ("resolved", False)]
    # The firing event is at level error, so it is announced to moderators too.
    assert [n["level"] for n in received if n["kind"] == "event"] == ["error"]


async def test_low_severity_fires_at_warn_level(db: asyncpg.Connection) -> None:
    alert_id = await add_alert(db, "metric q last over 1m > 1", severity="medium")
    await add_metric(db, "q", 2, ago(seconds=10))
    await evaluate_alerts(db, now=NOW)
    assert [e["level"] for e in await alert_events(db, alert_id)] == ["warn"]


async def test_silenced_alert_is_tracked_without_event_or_incident(
    db: asyncpg.Connection, notifications: Notifications
) -> None:
    alert_id = await add_alert(db, "metric q max over 1m", 1, status="silenced", open_incident=True)
    await add_metric(db, "q", 5, ago(seconds=10))
    [outcome] = (await evaluate_alerts(db, now=NOW)).outcomes
    assert (outcome.change, outcome.status, outcome.incident_id) == ("fired", "silenced", None)
    row = await alert_row(db, alert_id)
    assert (row["firing"], row["triggered_at"], row["incident_id"]) == (True, NOW, None)
    assert await alert_events(db, alert_id) == []
    assert await db.fetchval("SELECT count(*) FROM incidents") == 0

    [outcome] = (await evaluate_alerts(db, now=ago(minutes=-5))).outcomes
    assert outcome.change == "resolved"
    assert await alert_events(db, alert_id) == []
    received = await notifications.wait_for(2)
    assert [(n["kind"], n["action"], n["status"]) for n in received] == [
        ("alert", "fired", "silenced"),
        ("alert", "resolved", "silenced"),
    ]


async def test_resolved_alerts_are_not_evaluated(db: asyncpg.Connection) -> None:
    alert_id = await add_alert(db, "metric q max over 1m", 1, status="resolved")
    await add_metric(db, "q", 5, ago(seconds=10))
    assert (await evaluate_alerts(db, now=NOW)).outcomes == []
    assert (await alert_row(db, alert_id))["last_evaluated_at"] is None


async def test_incident_opens_with_severity_and_is_reused_while_open(
    db: asyncpg.Connection, moderator: AppUser, notifications: Notifications
) -> None:
    alert_id = await add_alert(
        db,
        "metric errors sum over 5m >= 3",
        name="error burst",
        open_incident=True,
        severity="critical",
        created_by=moderator.id,
    )
    for _ in range(3):
        await add_metric(db, "errors", 1, ago(minutes=1))
    [outcome] = (await evaluate_alerts(db, now=NOW)).outcomes
    incident = await db.fetchrow("SELECT * FROM incidents")
    assert incident is not None
    assert outcome.incident_id == incident["id"]
    assert (incident["title"], incident["severity"], incident["status"]) == (
        "Alert: error burst",
        "critical",
        "open",
    )
    assert str(incident["created_by"]) == moderator.id
    assert incident["description"] == (
        "Opened automatically by alert 'error burst': value 3, condition >= 3. "
        "Rule: metric errors sum over 5m >= 3"
    )
    assert (await alert_row(db, alert_id))["incident_id"] == incident["id"]
    received = await notifications.wait_for(3)
    [announced] = [n for n in received if n["kind"] == "incident"]
    assert announced["id"] == str(incident["id"])
    assert (announced["severity"], announced["created_by"]) == ("critical", moderator.id)

    # Recover, then cross again while the incident is still open: no second incident.
    await evaluate_alerts(db, now=ago(minutes=-10))
    await add_metric(db, "errors", 7, ago(minutes=-11))
    [refired] = (await evaluate_alerts(db, now=ago(minutes=-12))).outcomes
    assert refired.change == "fired" and refired.incident_id == incident["id"]
    assert await db.fetchval("SELECT count(*) FROM incidents") == 1

    # Once that incident is resolved, the next crossing opens a new one.
    await db.execute("UPDATE incidents SET status = 'resolved'")
    await evaluate_alerts(db, now=ago(minutes=-30))
    await add_metric(db, "errors", 9, ago(minutes=-31))
    [third] = (await evaluate_alerts(db, now=ago(minutes=-32))).outcomes
    assert third.change == "fired" and third.incident_id not in (None, incident["id"])
    assert await db.fetchval("SELECT count(*) FROM incidents") == 2


async def test_alerts_without_a_threshold_or_a_valid_rule_are_skipped(
    db: asyncpg.Connection,
) -> None:
    no_threshold = await add_alert(db, "metric q count over 1m", name="a")
    broken = await db.fetchval(
        """INSERT INTO alerts (name, query, rule, threshold_value)
           VALUES ('b', 'SELECT * FROM users', '{}', 1) RETURNING id"""
    )
    await add_metric(db, "q", 1, ago(seconds=1))
    outcomes = (await evaluate_alerts(db, now=NOW)).outcomes
    assert [(o.name, o.change, o.value, o.reason) for o in outcomes] == [
        ("a", "skipped", 1.0, "no threshold_value and no comparison"),
        (
            "b",
            "skipped",
            None,
            "invalid rule: expected 'metric', 'events' or 'tasks' at the start of the rule, "
            "got 'SELECT' at position 1",
        ),
    ]
    assert (await alert_row(db, no_threshold))["last_value"] == 1.0
    assert (await alert_row(db, broken))["last_evaluated_at"] == NOW
    assert await db.fetchval("SELECT count(*) FROM events") == 0


async def test_stored_rule_is_evaluated_when_the_query_column_is_legacy(
    db: asyncpg.Connection,
) -> None:
    # Rows without a stored rule fall back to parsing the query text.
    alert_id = await db.fetchval(
        """INSERT INTO alerts (name, query, rule, threshold_value)
           VALUES ('legacy', 'metric q last over 1m', '{}', 0) RETURNING id"""
    )
    await add_metric(db, "q", 1, ago(seconds=1))
    [outcome] = (await evaluate_alerts(db, now=NOW)).outcomes
    assert outcome.change == "fired"
    assert (await alert_row(db, alert_id))["firing"] is True


async def test_overflowing_sum_is_skipped_and_others_still_evaluated(
    db: asyncpg.Connection,
) -> None:
    await add_alert(db, "metric huge sum over 1m", 0, name="a")
    await add_alert(db, "metric q last over 1m", 0, name="b")
    for _ in range(2):
        await add_metric(db, "huge", 1e308, ago(seconds=1))
    await add_metric(db, "q", 1, ago(seconds=1))
    outcomes = (await evaluate_alerts(db, now=NOW)).outcomes
    assert [(o.name, o.change) for o in outcomes] == [("a", "skipped"), ("b", "fired")]
    assert outcomes[0].reason is not None and outcomes[0].reason.startswith("cannot compute")


LONG_NAME = "cpu-above-ninety-percent-on-every-host-of-the-eu-west-cluster"


@pytest.mark.slow
async def test_admin_evaluate_alerts_command(db: asyncpg.Connection, database_url: str) -> None:
    await add_alert(db, "metric cpu last over 720h", 50, name="cpu-now")
    await add_alert(db, "metric cpu last over 720h", 90, name=LONG_NAME)
    await db.execute("INSERT INTO metrics (name, metric_type, value) VALUES ('cpu', 'gauge', 75)")
    env = {**os.environ, "STARTER__DATABASE__URL": database_url}
    starter = Path(sys.executable).parent / "starter"
    process = await asyncio.create_subprocess_exec(
        str(starter),
        "admin",
        "evaluate-alerts",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    output = stdout.decode()
    assert "cpu-now" in output and "fired" in output and "> 50" in output
    assert "Evaluated 2 alert(s): 1 fired, 0 resolved, 0 skipped" in output
    firing = dict(await db.fetch("SELECT name, firing FROM alerts"))
    assert firing == {"cpu-now": True, LONG_NAME: False}
    # Piped, a row keeps its whole width: a long alert name is not wrapped or cut.
    assert LONG_NAME in output, output


async def test_worker_runs_the_evaluation_every_alert_interval(
    db: asyncpg.Connection, database_url: str
) -> None:
    [job] = [job for job in PERIODIC_JOBS if job.name == "monitoring.evaluate_alerts"]
    settings = make_settings(database_url, monitoring=MonitoringSettings(alert_interval_secs=7))
    assert job.interval(settings) == 7
    alert_id = await add_alert(db, "events count over 1h >= 0", name="always")
    await job.run(db, settings)
    row = await alert_row(db, alert_id)
    assert (row["firing"], row["last_value"]) == (True, 0.0)
