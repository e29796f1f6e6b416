"""The Queue page and the dashboard read the queue's figures from the server: tasks arranged
through the API (of a type no worker runs, so they stay put) show up as depth and oldest wait."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import fits_window_after_resize, heading, login, nav, shot

pytestmark = pytest.mark.e2e


@contextmanager
def _client(stack: Stack, account: Account) -> Iterator[httpx.Client]:
    client = stack.api()
    login_response = client.post(
        "/auth/login", json={"username": account.username, "password": account.password}
    )
    assert login_response.status_code == 200, login_response.text
    token = login_response.json()["data"]["session_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    try:
        yield client
    finally:
        client.close()


def _arrange_waiting(stack: Stack, admin: Account, count: int) -> str:
    """`count` pending tasks of a fresh type, the oldest created 20 minutes ago."""
    task_type = f"e2e_queue_{uuid.uuid4().hex[:8]}"
    with _client(stack, admin) as api:
        registered = api.post(
            "/tasks/types", json={"task_type": task_type, "description": "e2e: no worker runs it"}
        )
        assert registered.status_code == 200, registered.text
        ids = []
        for index in range(count):
            created = api.post("/tasks", json={"task_type": task_type, "payload": {"n": index}})
            assert created.status_code == 200, created.text
            ids.append(created.json()["data"]["id"])
    stack.sql(
        "UPDATE tasks SET created_at = now() - interval '20 minutes', "
        "scheduled_at = now() - interval '20 minutes' WHERE id = $1::uuid",
        ids[0],
    )
    return task_type


def test_queue_page_shows_depth_and_oldest_wait_of_arranged_tasks(
    page: Page, stack: Stack, admin_account: Account
) -> None:
    task_type = _arrange_waiting(stack, admin_account, 3)
    login(page, admin_account)
    nav(page, "Queue")
    heading(page, "Queue")
    expect(page.get_by_role("button", name="1h")).to_have_attribute("aria-pressed", "true")
    row = (
        page.get_by_role("table", name="Queue by task type")
        .get_by_role("row")
        .filter(has_text=task_type)
    )
    cells = row.get_by_role("cell")
    expect(cells.nth(1)).to_have_text("3")  # waiting
    expect(cells.nth(2)).to_have_text("0")  # running
    expect(cells.nth(3)).to_have_text(re.compile(r"^2\d(\.\d)? min$"))  # oldest waiting
    summary = page.get_by_test_id("queue-summary")
    expect(summary).to_contain_text("Oldest waiting")
    # The e2e worker is online (it heartbeats) and the throughput chart has bars.
    workers = page.get_by_role("table", name="Workers online")
    expect(workers.get_by_role("cell").first).to_be_visible()
    expect(workers).not_to_contain_text("No worker is online")
    chart = page.get_by_role("img", name=re.compile("Tasks created and completed"))
    expect(chart.locator(".recharts-bar-rectangle").first).to_be_attached(timeout=10_000)
    shot(page, "queue")
    page.get_by_role("button", name="7d").click()
    expect(page.get_by_role("button", name="7d")).to_have_attribute("aria-pressed", "true")
    throughput = page.get_by_role("region", name="Throughput (the last 7 days)")
    expect(throughput).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 812})
    expect(cells.nth(1)).to_have_text("3")
    fits_window_after_resize(page)
    shot(page, "queue-phone")


def test_dashboard_shows_the_queue_and_a_quiet_user_gets_an_explained_empty_state(
    page: Page, make_account, stack: Stack, admin_account: Account
) -> None:  # type: ignore[no-untyped-def]
    _arrange_waiting(stack, admin_account, 1)
    login(page, admin_account)
    queue = page.get_by_role("region", name="Queue")
    expect(queue.get_by_test_id("queue-summary")).to_contain_text("Waiting")
    # One word, one meaning on the page: "Running" is the queue's running tasks alone, and the
    # statistics' count of everything not finished has its own name.
    stats = page.get_by_role("region", name="Task statistics")
    expect(stats).to_contain_text("Unfinished")
    expect(stats.get_by_text("Running", exact=True)).to_have_count(0)
    expect(queue.get_by_text("Running", exact=True)).to_have_count(1)
    chart = page.get_by_role("img", name=re.compile("Tasks created and completed"))
    expect(chart.locator(".recharts-bar-rectangle").first).to_be_attached(timeout=10_000)
    shot(page, "dashboard")
    page.get_by_role("button", name="Sign out").click()

    # A plain user's figures are their own tasks only: none yet, and the page says what to do.
    login(page, make_account())
    empty = page.get_by_test_id("queue-empty")
    expect(empty).to_contain_text("No tasks in the last 24 hours.")
    empty.get_by_role("link", name="Create a task").click()
    heading(page, "New task")
    page.goto("/admin/tasks/queue")
    expect(page.get_by_test_id("queue-empty")).to_contain_text("No tasks in the last hour.")
    shot(page, "queue-empty")
