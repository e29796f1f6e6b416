"""Every page of the app, signed in as the admin with data present, at 1280×800 and 375×812:
each names its tab after its heading, and none scrolls horizontally on a phone. The page list
(`routes`, from the route manifest) and `seeded` are shared with test_accessibility.py."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest
from playwright.sync_api import Browser, Page, expect

from starter.spa import PACKAGED_DIST
from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import confirm, shot

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1280, 800), "phone": (375, 812)}
PUBLIC = {"/auth/login", "/auth/register"}
# Underscores: no line-break opportunity, so only a layout that lets content wrap or scroll passes.
LONG = "a_rather_long_unbroken_identifier_" * 3


@dataclass
class Seeded:
    task_id: str
    user_id: str
    incident_id: str
    note_id: str


def _api(stack: Stack, account: Account) -> httpx.Client:
    client = stack.api()
    login = client.post(
        "/auth/login", json={"username": account.username, "password": account.password}
    )
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['data']['session_token']}"
    return client


def _ok(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def seeded(stack: Stack, admin_account: Account, make_account) -> Iterator[Seeded]:  # type: ignore[no-untyped-def]
    """Rows with long values on every page that lists something."""
    other = make_account(prefix=f"long_{LONG[:20]}")
    api = _api(stack, admin_account)
    try:
        task = _ok(
            api.post(
                "/tasks",
                json={
                    "task_type": "data_processing",
                    "payload": {"operation": "sum", "data": [1, 2], "note": LONG},
                },
            )
        )
        _ok(
            api.post(
                "/tasks",
                json={"task_type": "data_processing", "payload": {"operation": "max", "data": []}},
            )
        )
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        pending = {
            "task_type": "delay_task",
            "payload": {"delay_seconds": 1},
            "scheduled_at": later,
        }
        _ok(api.post("/tasks", json=pending))
        for level in ("info", "warn", "error"):
            _ok(
                api.post(
                    "/monitoring/events",
                    json={
                        "event_type": "log",
                        "source": f"e2e-{LONG}",
                        "level": level,
                        "message": f"{level} {LONG}",
                        "tags": {"run": LONG},
                    },
                )
            )
        _ok(
            api.post(
                "/monitoring/events",
                json={
                    "event_type": "metric",
                    "source": "e2e",
                    "message": "latency",
                    "payload": {"name": "e2e_latency_ms", "value": 42},
                },
            )
        )
        _ok(api.post("/api-keys", json={"name": f"key-{LONG[:60]}"}))
        incident = _ok(
            api.post(
                "/monitoring/incidents",
                json={"title": f"Incident {LONG[:60]}", "description": LONG, "severity": "high"},
            )
        )
        api.post(
            "/monitoring/alerts",
            json={
                "name": f"alert-{uuid.uuid4().hex[:6]}",
                "query": "events count over 5m",
                "threshold_value": 1000,
            },
        )
        note = _ok(
            api.post(
                "/notes", json={"title": f"Note {LONG[:60]}", "content": f"# {LONG}\n\n{LONG}"}
            )
        )
        edited = {"title": f"Note {LONG[:60]}", "content": f"{LONG} edited"}
        _ok(api.patch(f"/notes/{note['id']}", json=edited))
        deadline = time.monotonic() + 30
        while _ok(api.get(f"/tasks/{task['id']}"))["status"] != "completed":
            assert time.monotonic() < deadline, "seed task did not complete"
            time.sleep(0.3)
    finally:
        api.close()
    yield Seeded(str(task["id"]), other.id, str(incident["id"]), str(note["id"]))


def routes(seeded: Seeded) -> list[tuple[str, str]]:
    """(pattern, path) of every SPA route, with seeded ids in place of its parameters."""
    manifest = orjson.loads((PACKAGED_DIST / "routes.json").read_bytes())["routes"]
    ids = {
        "$taskId": seeded.task_id,
        "$userId": seeded.user_id,
        "$incidentId": seeded.incident_id,
        "$noteId": seeded.note_id,
    }
    routes = []
    for pattern in manifest:
        path = pattern
        for name, value in ids.items():
            path = path.replace(name, value)
        assert "$" not in path, f"no seeded id for {pattern}"
        routes.append((pattern, path))
    return routes


def sign_in(page: Page, account: Account) -> None:
    page.goto("/auth/login")
    page.get_by_label("Username or email").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin$"))


def settle(page: Page) -> str:
    """Wait for the page's heading and data; return the heading."""
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    return heading.inner_text().strip()


def slug(route: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", route.lower().replace("$", "")).strip("-") or "root"


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_titles_its_tab_and_fits_the_screen(
    browser: Browser, stack: Stack, admin_account: Account, seeded: Seeded, size: str
) -> None:
    width, height = SIZES[size]
    problems: list[str] = []
    for public in (True, False):
        context = browser.new_context(
            base_url=stack.base_url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            if not public:
                sign_in(page, admin_account)
            for pattern, route in routes(seeded):
                if (route in PUBLIC) != public:
                    continue
                page.goto(route)
                heading = settle(page)
                if page.title() != f"{heading} · starter":
                    problems.append(f"{route}: tab {page.title()!r}, heading {heading!r}")
                scroll = page.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]"
                )
                if scroll[0] > scroll[1]:
                    problems.append(f"{route}: {scroll[0]}px wide in a {scroll[1]}px window")
                shot(page, f"page-{slug(pattern)}-{width}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_task_actions_are_on_screen_on_a_phone(
    browser: Browser, stack: Stack, admin_account: Account, seeded: Seeded
) -> None:
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        sign_in(page, admin_account)
        page.goto("/admin/tasks")
        settle(page)
        # Other journeys' tasks (mail from every registration) would push it off the first page.
        page.get_by_label("Type", exact=True).select_option("data_processing")
        settle(page)
        button = page.get_by_role("button", name=f"Delete task {seeded.task_id[:8]}")
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        # Its confirmation is centred on a phone too; cancelling keeps the task.
        button.click()
        confirm(page, f"Delete task {seeded.task_id[:8]}?", "Cancel", shot_as="confirm-task-375")
        expect(button).to_be_visible()
    finally:
        context.close()
