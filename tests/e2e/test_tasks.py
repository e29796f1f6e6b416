"""Task journeys: register → log in → create → watch it finish live → read the result."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import heading, login, nav, shot, toast
from tests.support.users import PASSWORD

pytestmark = pytest.mark.e2e


def test_register_login_create_task_and_watch_it_complete_live(page: Page) -> None:
    name = f"e2e_{uuid.uuid4().hex[:8]}"
    page.goto("/auth/register")
    shot(page, "register")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/auth/login")
    toast(page, "Account created")

    login(page, Account(name, f"{name}@example.com", PASSWORD, "user"))
    expect(page.locator("[data-testid=live-indicator]:visible")).to_have_attribute(
        "data-state", "live"
    )
    nav(page, "New task")
    heading(page, "New task")
    page.get_by_label("Task type").select_option("delay_task")
    # The payload's fields come from the type's schema, typed and with its defaults.
    fields = page.get_by_role("group", name="Payload fields")
    fields.get_by_label("Delay Seconds").fill("2")
    fields.get_by_label("Task Id").fill("e2e")
    shot(page, "task-new")
    page.get_by_role("button", name="Create task").click()

    page.wait_for_url(re.compile(r"/admin/tasks/[0-9a-f-]{36}$"))
    status = page.get_by_test_id("task-status")
    expect(status).to_have_text(re.compile("pending|running"))
    # No reload: the stream delivers the status change (the indicator says it is live).
    expect(page.locator("[data-testid=live-indicator]:visible")).to_have_attribute(
        "data-state", "live"
    )
    expect(status).to_have_text("completed", timeout=20_000)
    result = page.get_by_test_id("task-result")
    expect(result).to_contain_text('"delayed_seconds": 2')
    shot(page, "task-detail")


def test_invalid_payload_json_is_caught_before_sending(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    login(page, make_account())
    page.goto("/admin/tasks/new")
    page.get_by_label("Task type").select_option("email")
    page.get_by_label("Edit as JSON").check()
    expect(page.get_by_label("Payload (JSON)")).to_have_value(re.compile('"subject"'))
    page.get_by_label("Payload (JSON)").fill("{to: nobody}")
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_role("alert").filter(has_text="Invalid JSON")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/tasks/new$"))


def test_task_list_filters_reach_the_api(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    with stack.api() as api:
        token = api.post(
            "/auth/login", json={"username": account.username, "password": account.password}
        ).json()["data"]["session_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for payload in ({"operation": "sum", "data": [1, 2]}, {"operation": "mean", "data": []}):
            created = api.post(
                "/tasks", json={"task_type": "data_processing", "payload": payload}, headers=headers
            )
            assert created.status_code == 200, created.text
    login(page, account)
    nav(page, "All tasks")
    heading(page, "Tasks")
    table = page.get_by_role("table", name="Tasks")
    expect(table.get_by_role("row")).to_have_count(3, timeout=20_000)
    # The empty mean fails for good; wait for both to settle, then filter on the server.
    page.get_by_label("Status").select_option("failed")
    expect(table.get_by_role("row")).to_have_count(2, timeout=20_000)
    expect(table).to_contain_text("failed")
    page.get_by_label("Status").select_option("completed")
    expect(table.get_by_role("row")).to_have_count(2, timeout=20_000)
    page.get_by_label("Status").select_option("cancelled")
    expect(table).to_contain_text("No tasks match these filters.")
    page.get_by_label("Status").select_option("")
    # A newly clicked column sorts ascending first.
    page.get_by_role("button", name=re.compile("^Priority")).click()
    expect(table.get_by_role("columnheader", name=re.compile("Priority"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.get_by_test_id("task-range")).to_have_text("1–2 of 2")
    shot(page, "tasks")


def test_report_task_offers_its_artifact_for_download(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    login(page, make_account())
    page.goto("/admin/tasks/new")
    page.get_by_label("Task type").select_option("report_generation")
    page.get_by_label("Edit as JSON").check()
    expect(page.get_by_label("Payload (JSON)")).to_have_value(re.compile('"report_type": "tasks"'))
    page.get_by_role("button", name="Create task").click()
    page.wait_for_url(re.compile(r"/admin/tasks/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("task-status")).to_have_text("completed", timeout=20_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download artifact").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    content = Path(download.path()).read_text()
    assert content.startswith("id,task_type,status"), content[:200]


def test_new_task_form_follows_a_registered_types_payload_schema(
    page: Page, stack: Stack, admin_account: Account
) -> None:
    task_type = f"e2e_form_{uuid.uuid4().hex[:8]}"
    schema = {
        "type": "object",
        "required": ["region", "count"],
        "properties": {
            "region": {"type": "string", "enum": ["eu", "us"], "title": "Region"},
            "count": {"type": "integer", "title": "Count", "default": 3},
            "dry_run": {"type": "boolean", "title": "Dry run", "default": True},
            "options": {"type": "object", "title": "Options"},
        },
    }
    with stack.api() as api:
        token = api.post(
            "/auth/login",
            json={"username": admin_account.username, "password": admin_account.password},
        ).json()["data"]["session_token"]
        registered = api.post(
            "/tasks/types",
            json={"task_type": task_type, "description": "e2e form", "payload_schema": schema},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert registered.status_code == 200, registered.text
    login(page, admin_account)
    page.goto("/admin/tasks/new")
    page.get_by_label("Task type").select_option(task_type)
    fields = page.get_by_role("group", name="Payload fields")
    expect(fields.get_by_label("Region *")).to_have_value("eu")
    expect(fields.get_by_label("Dry run")).to_be_checked()
    fields.get_by_label("Count *").fill("")
    page.get_by_role("button", name="Create task").click()
    expect(fields.get_by_role("alert")).to_have_text("Required.")
    fields.get_by_label("Region *").select_option("us")
    fields.get_by_label("Count *").fill("7")
    fields.get_by_label("Dry run").uncheck()
    fields.get_by_label("Options").fill('{"fast": true}')
    shot(page, "task-new-schema-form")
    # The JSON view carries the same payload, and edits there come back to the fields.
    page.get_by_label("Edit as JSON").check()
    payload = page.get_by_label("Payload (JSON)")
    for pair in ('"region": "us"', '"count": 7', '"dry_run": false', '"fast": true'):
        expect(payload).to_have_value(re.compile(re.escape(pair)))
    payload.fill('{"region": "us", "count": 9, "dry_run": false, "options": {"fast": true}}')
    page.get_by_label("Edit as JSON").uncheck()
    expect(fields.get_by_label("Count *")).to_have_value("9")
    page.get_by_role("button", name="Create task").click()
    page.wait_for_url(re.compile(r"/admin/tasks/[0-9a-f-]{36}$"))
    expect(page.get_by_role("region", name="Payload")).to_contain_text('"count": 9')
    expect(page.get_by_role("region", name="Payload")).to_contain_text('"fast": true')


def test_a_change_the_stream_never_announced_still_reaches_the_page(
    page: Page, admin_account: Account, stack: Stack
) -> None:
    """The live stream is the fast path, not the only one: a status written without a
    notification (as a missed one would leave it) is on the page within the slow recheck."""
    task_id = uuid.uuid4()
    stack.sql(
        """INSERT INTO tasks (id, task_type, payload, status, started_at, locked_until)
           VALUES ($1, 'delay_task', '{"delay_seconds": 0}', 'running', NOW(),
                   NOW() + INTERVAL '1 hour')""",
        task_id,
    )
    login(page, admin_account)
    expect(page.locator("[data-testid=live-indicator]:visible")).to_have_attribute(
        "data-state", "live"
    )
    page.goto(f"/admin/tasks/{task_id}")
    status = page.get_by_test_id("task-status")
    expect(status).to_have_text("running")
    stack.sql(
        """UPDATE tasks SET status = 'completed', completed_at = NOW(), locked_until = NULL
            WHERE id = $1""",
        task_id,
    )
    expect(status).to_have_text("completed", timeout=45_000)
