"""Monitoring journeys: incidents with their timeline, alert rules, events, metrics."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import confirm, heading, login, nav, shot, toast

pytestmark = pytest.mark.e2e


def bearer(stack: Stack, account: Account) -> dict[str, str]:
    with stack.api() as api:
        response = api.post(
            "/auth/login", json={"username": account.username, "password": account.password}
        )
        assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['session_token']}"}


def test_incident_create_resolve_and_timeline(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    login(page, account)
    nav(page, "Incidents")
    heading(page, "Incidents")
    title = f"Checkout errors {uuid.uuid4().hex[:6]}"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Description").fill("Payments failing for some users")
    page.get_by_role("button", name="Open incident").click()
    page.wait_for_url(re.compile(r"/admin/monitoring/incidents/[0-9a-f-]{36}$"))
    heading(page, title)
    expect(page.get_by_test_id("incident-status")).to_have_text("open")

    message = f"payment gateway timeout {uuid.uuid4().hex[:6]}"
    with stack.api() as api:
        event = api.post(
            "/monitoring/events",
            json={
                "event_type": "log",
                "source": "app-checkout",
                "level": "error",
                "message": message,
            },
            headers=bearer(stack, account),
        )
        assert event.status_code == 200, event.text

    form = page.get_by_role("form", name="Update incident")
    form.get_by_label("Status").select_option("resolved")
    form.get_by_label("Root cause").fill("Expired TLS certificate at the gateway")
    form.get_by_role("button", name="Update incident").click()
    toast(page, f'Incident "{title}" is resolved.')
    expect(page.get_by_test_id("incident-status")).to_have_text("resolved")
    expect(page.get_by_test_id("incident-resolved")).not_to_have_text("—")
    page.get_by_label("Look back before the start").select_option("0")
    timeline = page.get_by_test_id("incident-timeline")
    expect(timeline).to_contain_text(message)
    expect(timeline).to_contain_text("app-checkout")
    shot(page, "incident-detail")
    nav(page, "Incidents")
    expect(page.get_by_role("table", name="Incidents")).to_contain_text(title)
    shot(page, "incidents")


def test_alerts_crud_with_the_rule_error_shown(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    login(page, make_account("moderator"))
    nav(page, "Alerts")
    heading(page, "Alerts")
    name = f"cpu-{uuid.uuid4().hex[:6]}"
    page.get_by_role("button", name="New alert").click()
    form = page.get_by_role("form", name="Create alert")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Rule").fill("metric cpu_usage avgg over 5m")
    form.get_by_role("button", name="Create alert").click()
    error = form.get_by_role("alert")
    expect(error).to_contain_text(
        "Query: expected an aggregation (avg, min, max, sum, count, last)"
    )
    expect(form.get_by_label("Rule")).to_have_attribute("aria-invalid", "true")
    shot(page, "alert-rule-error")

    form.get_by_label("Rule").fill("tasks completed count >= 0")
    form.get_by_role("button", name="Create alert").click()
    toast(page, f'Alert "{name}" saved.')
    table = page.get_by_role("table", name="Alerts")
    expect(table).to_contain_text(name)
    # The worker evaluates the rule (always true) and the state arrives live.
    expect(page.get_by_test_id(f"alert-state-{name}")).to_contain_text("firing", timeout=30_000)
    shot(page, "alerts")

    page.get_by_role("button", name=f"Edit {name}").click()
    edit = page.get_by_role("form", name="Edit alert")
    edit.get_by_label("Status").select_option("silenced")
    edit.get_by_label("Description").fill("Silenced during the e2e run")
    edit.get_by_role("button", name="Save alert").click()
    toast(page, f'Alert "{name}" saved.')
    expect(table.get_by_role("row").filter(has_text=name)).to_contain_text("silenced")

    page.get_by_role("button", name=f"Delete {name}").click()
    confirm(page, f'Delete alert "{name}"?', "Delete")
    toast(page, f'Alert "{name}" deleted.')
    expect(table).not_to_contain_text(name)


def test_alert_presets_fill_the_rule_and_the_preview_shows_its_value_now(
    page: Page, make_account, stack: Stack
) -> None:  # type: ignore[no-untyped-def]
    moderator = make_account("moderator")
    source = f"e2e-{uuid.uuid4().hex[:6]}"
    with stack.api() as api:
        headers = bearer(stack, moderator)
        for _ in range(2):
            event = {"event_type": "log", "source": source, "level": "error", "message": "x"}
            assert api.post("/monitoring/events", json=event, headers=headers).status_code == 200
    login(page, moderator)
    nav(page, "Alerts")
    page.get_by_role("button", name="New alert").click()
    form = page.get_by_role("form", name="Create alert")
    form.get_by_role("group", name="Presets").get_by_role(
        "button", name="Pending tasks > 100"
    ).click()
    expect(form.get_by_label("Rule")).to_have_value("tasks pending count > 100")
    expect(form.get_by_label("Name")).to_have_value("Queue backlog")
    preview = form.get_by_test_id("alert-preview")
    expect(preview).to_contain_text(re.compile(r"Current value: \d+"))
    expect(preview).to_contain_text("would not fire now")
    # Typed by hand: the preview follows, and a rule the server cannot parse says why.
    form.get_by_label("Rule").fill(f"events source={source} level=error count over 5m > 1")
    expect(preview).to_contain_text("Current value: 2")
    expect(preview).to_contain_text("would fire now")
    shot(page, "alert-preview")
    form.get_by_label("Rule").fill("events count over 5q")
    expect(preview).to_contain_text("Query: ")
    form.get_by_label("Rule").fill(f"events source={source} level=error count over 5m > 1")
    form.get_by_role("button", name="Create alert").click()
    toast(page, 'Alert "Queue backlog" saved.')


def test_events_filter_by_tag_and_show_the_server_error(
    page: Page, make_account, stack: Stack
) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    run = uuid.uuid4().hex[:8]
    with stack.api() as api:
        headers = bearer(stack, account)
        for env in ("prod", "staging"):
            response = api.post(
                "/monitoring/events",
                json={
                    "event_type": "log",
                    "source": "app-web",
                    "message": f"deploy {env} {run}",
                    "tags": {"env": env, "run": run},
                },
                headers=headers,
            )
            assert response.status_code == 200, response.text
    login(page, account)
    nav(page, "Events")
    heading(page, "Events")
    filters = page.get_by_role("search", name="Filter events")
    filters.get_by_label("Tags").fill(f"run:{run}, env:prod")
    filters.get_by_role("button", name="Apply filters").click()
    table = page.get_by_role("table", name="Events")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text(f"deploy prod {run}")
    expect(table).not_to_contain_text(f"deploy staging {run}")
    shot(page, "events")

    filters.get_by_label("Tags").fill("env")
    filters.get_by_role("button", name="Apply filters").click()
    expect(filters.get_by_role("alert")).to_have_text(
        "Tags: Invalid tag format. Expected 'key:value' pairs separated by commas"
    )

    create = page.get_by_role("form", name="Create event")
    create.get_by_label("Source").fill("app-e2e")
    create.get_by_label("Message").fill(f"hello {run}")
    create.get_by_label("Tags (JSON object)").fill(json.dumps({"run": run}))
    create.get_by_role("button", name="Record event").click()
    toast(page, "Event recorded from app-e2e.")
    filters.get_by_label("Tags").fill(f"run:{run}")
    filters.get_by_role("button", name="Apply filters").click()
    expect(table.get_by_role("row")).to_have_count(4)


def test_events_level_column_shows_levels_not_task_statuses(
    page: Page, make_account, stack: Stack
) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    run = uuid.uuid4().hex[:8]
    levels = ["info", "warn", "error", "debug"]
    with stack.api() as api:
        headers = bearer(stack, account)
        for level in levels:
            event = {
                "event_type": "log",
                "source": "app-web",
                "level": level,
                "message": f"lv-{run}",
                "tags": {"run": run},
            }
            response = api.post("/monitoring/events", json=event, headers=headers)
            assert response.status_code == 200, response.text
    login(page, account)
    nav(page, "Events")
    filters = page.get_by_role("search", name="Filter events")
    filters.get_by_label("Tags").fill(f"run:{run}")
    filters.get_by_role("button", name="Apply filters").click()
    table = page.get_by_role("table", name="Events")
    expect(table.get_by_role("row")).to_have_count(len(levels) + 1)
    column = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()].index("Level")
    for level in levels:
        row = (
            table.get_by_role("row")
            .filter(has_text=f"lv-{run}")
            .filter(has=page.get_by_role("cell", name=level, exact=True))
        )
        cell = row.get_by_role("cell").nth(column)
        expect(cell).to_have_text(level)
    for status_word in ("pending", "failed", "retrying"):
        expect(table).not_to_contain_text(status_word)
    shot(page, "events-levels")


def test_metrics_chart_renders_stored_points(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    name = f"cpu_usage_e2e_{uuid.uuid4().hex[:6]}"
    with stack.api() as api:
        headers = bearer(stack, account)
        for minute, value in enumerate([12.5, 40, 33.3, 71, 55]):
            response = api.post(
                "/monitoring/metrics",
                json={
                    "name": name,
                    "metric_type": "gauge",
                    "value": value,
                    "labels": {"host": "web-1"},
                    "recorded_at": f"2030-01-01T00:0{minute}:00Z",
                },
                headers=headers,
            )
            assert response.status_code in (200, 400), response.text
            if response.status_code == 400:  # a future timestamp may be refused: store it now
                response = api.post(
                    "/monitoring/metrics",
                    json={
                        "name": name,
                        "metric_type": "gauge",
                        "value": value,
                        "labels": {"host": "web-1"},
                    },
                    headers=headers,
                )
                assert response.status_code == 200, response.text
    login(page, account)
    nav(page, "Metrics")
    heading(page, "Metrics")
    filters = page.get_by_role("search", name="Filter metrics")
    filters.get_by_label("Name").fill(name)
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("table", name="Metrics").get_by_role("row")).to_have_count(6)
    chart = page.get_by_role("img", name=f"{name}: 5 points over time")
    expect(chart).to_be_visible()
    expect(chart.locator(".recharts-line-curve")).to_be_attached()
    expect(page.get_by_text("latest 55")).to_be_visible()
    shot(page, "metrics")

    create = page.get_by_role("form", name="Create metric")
    create.get_by_label("Metric name").fill("system_secret")
    create.get_by_label("Value").fill("1")
    create.get_by_role("button", name="Record metric").click()
    expect(create.get_by_role("alert")).to_contain_text("not authorized")


def test_monitoring_overview_for_moderators(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    moderator = make_account("moderator")
    run = uuid.uuid4().hex[:8]
    ids = []
    with stack.api() as api:
        headers = bearer(stack, moderator)
        for level in ("error", "info", "info"):
            event = {
                "event_type": "log",
                "source": "app-web",
                "level": level,
                "message": f"ov-{run}",
            }
            response = api.post("/monitoring/events", json=event, headers=headers)
            assert response.status_code == 200, response.text
            ids.append(response.json()["data"]["id"])
    login(page, moderator)
    nav(page, "Overview")
    heading(page, "Monitoring")
    expect(page.get_by_role("region", name="Monitoring statistics")).to_be_visible()
    # Events per level: a stacked bar per hour, in the levels' own colours (error is red).
    chart = page.get_by_role("img", name=re.compile("Events per level over the last 24 hours"))
    expect(chart).to_have_attribute("aria-label", re.compile(r"\d+ error\b.*\d+ info\b"))
    bars = chart.locator(".recharts-bar-rectangle path")
    expect(bars.first).to_be_attached(timeout=10_000)
    fills = {bar.get_attribute("fill") for bar in bars.all()}
    assert "#dc2626" in fills, fills
    # The feed shows each event's short id, which opens the event itself.
    feed = page.get_by_test_id("recent-events")
    feed.get_by_role("link", name=f"Event {ids[-1][:8]}").click()
    # The Events page opens with the event's dialog (the page behind it is inert meanwhile).
    expect(page).to_have_url(re.compile(rf"/admin/monitoring/events#{ids[-1]}$"))
    dialog = page.get_by_role("dialog", name=f"Event {ids[-1][:8]}")
    expect(dialog).to_contain_text(ids[-1])
    expect(dialog).to_contain_text(f"ov-{run}")
    shot(page, "event-dialog", full_page=False)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("table", name="Events").get_by_role(
        "button", name=f"Show event {ids[0][:8]}"
    ).click()
    first = page.get_by_role("dialog", name=f"Event {ids[0][:8]}")
    expect(first).to_contain_text("error")
    first.get_by_role("button", name="Close").click()
    nav(page, "Overview")
    shot(page, "monitoring")
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, "monitoring-phone")
