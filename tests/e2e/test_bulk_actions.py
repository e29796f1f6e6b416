"""Bulk actions on tasks: "Retry all matching" on the dead-letter page is one filtered call that
turns every failed task of the type pending; selected rows are retried together, and the summary
names what was skipped. The tasks are of a type no worker runs, so they stay where they land."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import confirm, heading, login, nav, shot, toast

pytestmark = pytest.mark.e2e


@contextmanager
def _client(stack: Stack, account: Account) -> Iterator[httpx.Client]:
    client = stack.api()
    response = client.post(
        "/auth/login", json={"username": account.username, "password": account.password}
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['data']['session_token']}"
    try:
        yield client
    finally:
        client.close()


def _arrange(stack: Stack, admin: Account, failed: int, pending: int = 0) -> tuple[str, list[str]]:
    """A fresh type with `failed` failed tasks (then `pending` pending ones); their ids, in order."""
    task_type = f"e2e_bulk_{uuid.uuid4().hex[:8]}"
    ids: list[str] = []
    with _client(stack, admin) as api:
        assert (
            api.post(
                "/tasks/types",
                json={"task_type": task_type, "description": "e2e: no worker runs it"},
            ).status_code
            == 200
        )
        for index in range(failed + pending):
            created = api.post("/tasks", json={"task_type": task_type, "payload": {"n": index}})
            assert created.status_code == 200, created.text
            ids.append(created.json()["data"]["id"])
    for task_id in ids[:failed]:
        stack.sql(
            "UPDATE tasks SET status = 'failed', last_error = 'boom', completed_at = now(), "
            "current_attempt = max_attempts WHERE id = $1::uuid",
            task_id,
        )
    return task_type, ids


def _statuses(stack: Stack, admin: Account, ids: list[str]) -> list[str]:
    with _client(stack, admin) as api:
        return [api.get(f"/tasks/{task_id}").json()["data"]["status"] for task_id in ids]


def test_retry_all_matching_turns_every_failed_task_of_the_type_pending(
    page: Page, stack: Stack, admin_account: Account, make_account
) -> None:  # type: ignore[no-untyped-def]
    task_type, ids = _arrange(stack, admin_account, failed=4)
    login(page, make_account("moderator"))
    nav(page, "Dead letter")
    heading(page, "Dead letter queue")
    page.get_by_label("Type").select_option(task_type)
    table = page.get_by_role("table", name="Failed tasks")
    expect(table.get_by_role("row")).to_have_count(5)
    expect(page.get_by_test_id("dead-letter-range")).to_have_text("1–4 of 4")
    page.get_by_role("button", name="Retry all matching (4)").click()
    confirm(page, f"Retry 4 failed {task_type} tasks?", "Retry all", shot_as="bulk-retry-confirm")
    toast(page, "4 retried")
    expect(table).to_contain_text("No failed tasks.")
    expect(page.get_by_role("button", name="Retry all matching (0)")).to_be_disabled()
    shot(page, "dead-letter-after-retry-all")
    assert _statuses(stack, admin_account, ids) == ["pending"] * 4

    nav(page, "All tasks")
    page.get_by_label("Type").select_option(task_type)
    tasks = page.get_by_role("table", name="Tasks")
    expect(tasks.get_by_role("row").filter(has_text="pending")).to_have_count(4)
    expect(page.get_by_test_id("task-range")).to_have_text("1–4 of 4")


def test_selected_rows_are_retried_together_and_the_skipped_one_is_named(
    page: Page, stack: Stack, admin_account: Account
) -> None:
    task_type, ids = _arrange(stack, admin_account, failed=2, pending=1)
    login(page, admin_account)
    nav(page, "All tasks")
    page.get_by_label("Type").select_option(task_type)
    table = page.get_by_role("table", name="Tasks")
    expect(table.get_by_role("row")).to_have_count(4)
    bar = page.get_by_test_id("bulk-bar")
    expect(bar.get_by_role("button", name="Retry selected")).to_be_disabled()
    table.get_by_label("Select all rows on this page").check()
    expect(bar).to_contain_text("3 selected")
    bar.get_by_role("button", name="Retry selected").click()
    confirm(page, "Retry 3 tasks?", "Retry")
    # The pending one cannot be retried: it is counted and named by its short id.
    toast(page, re.compile(rf"^2 retried, 1 skipped: {ids[2][:8]} "))
    shot(page, "bulk-retry-summary")
    expect(bar).to_contain_text("None selected")
    expect(table.get_by_role("row").filter(has_text="failed")).to_have_count(0)
    assert _statuses(stack, admin_account, ids) == ["pending"] * 3

    # Cancel two of them by ticking their rows.
    for task_id in ids[:2]:
        table.get_by_label(f"Select row {task_id}").check()
    bar.get_by_role("button", name="Cancel selected").click()
    confirm(page, "Cancel 2 tasks?", "Cancel tasks")
    toast(page, "2 cancelled")
    expect(table.get_by_role("row").filter(has_text="cancelled")).to_have_count(2)
    assert _statuses(stack, admin_account, ids) == ["cancelled", "cancelled", "pending"]
    # The server finds a task by the leading characters of its id.
    page.get_by_text("By id or creation time").click()
    page.get_by_label("Task id").fill(ids[2][:6])
    expect(page.get_by_test_id("task-range")).to_have_text("1–1 of 1")
    expect(table).to_contain_text(ids[2][:8])
    page.set_viewport_size({"width": 375, "height": 812})
    expect(bar).to_contain_text("None selected")
    shot(page, "tasks-phone")
