"""Moderator and admin journeys: users, roles, the dead-letter queue, health, analytics."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import confirm, heading, login, nav, shot, toast
from tests.support.users import PASSWORD

pytestmark = pytest.mark.e2e


def test_admin_creates_a_user_changes_the_role_and_deactivates(
    page: Page, admin_account: Account
) -> None:
    login(page, admin_account)
    name = f"made_{uuid.uuid4().hex[:8]}"
    nav(page, "Create user")
    heading(page, "Create user")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Role").select_option("user")
    shot(page, "user-new")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_url(re.compile(r"/admin/users/[0-9a-f-]{36}$"))
    heading(page, name)
    toast(page, f"Created {name} (user).")

    page.get_by_role("button", name=f"Change role of {name}").click()
    dialog = page.get_by_role("dialog", name=f"Change role of {name}")
    dialog.get_by_label("Role").select_option("moderator")
    dialog.get_by_role("button", name="Save role").click()
    toast(page, f"{name} is now moderator.")
    expect(page.get_by_role("main")).to_contain_text("moderator")
    shot(page, "user-detail")

    nav(page, "Users")
    heading(page, "Users")
    page.get_by_label("Search all users").fill(name)
    table = page.get_by_role("table", name="Users")
    expect(table.get_by_role("row")).to_have_count(2)
    shot(page, "users")
    table.get_by_role("button", name=f"Deactivate {name}").click()
    confirm(page, f"Deactivate {name}?", "Deactivate", shot_as="confirm-deactivate")
    toast(page, f"{name} deactivated.")
    # The list holds active accounts unless asked; the inactive ones can be reactivated.
    expect(table).to_contain_text("No users found.")
    status = page.get_by_label("Status", exact=True)
    status.select_option("inactive")
    row = table.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("inactive")
    shot(page, "users-inactive")
    row.get_by_role("button", name=f"Reactivate {name}").click()
    toast(page, f"{name} reactivated.")
    expect(table).to_contain_text("No users found.")
    status.select_option("all")
    expect(table.get_by_role("row").filter(has_text=name)).to_contain_text("active")
    with_session = page.get_by_role("link", name=name, exact=True)
    expect(with_session).to_be_visible()  # active again: its page opens


def test_admin_is_not_offered_to_deactivate_or_delete_themselves(
    page: Page, admin_account: Account
) -> None:
    login(page, admin_account)
    nav(page, "Users")
    page.get_by_label("Search all users").fill("admin@example.com")
    table = page.get_by_role("table", name="Users")
    row = table.get_by_role("row").filter(has_text="admin@example.com")
    expect(row.get_by_role("button", name="Change role of admin")).to_be_visible()
    expect(row.get_by_role("button", name="Deactivate admin")).to_have_count(0)
    expect(row.get_by_role("button", name="Delete admin")).to_have_count(0)


def test_moderator_resets_a_password_shown_once(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    target = make_account(prefix="resetme")
    login(page, make_account("moderator"))
    nav(page, "Users")
    page.get_by_label("Search all users").fill(target.username)
    page.get_by_role("button", name=f"Reset password of {target.username}").click()
    confirm(page, f"Reset the password of {target.username}?", "Reset password")
    secret = page.get_by_test_id("generated-password")
    expect(secret).to_have_text(re.compile(r"^\S{20}$"))
    password = secret.inner_text()
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("generated-password")).to_have_count(0)
    with stack.api() as api:
        response = api.post("/auth/login", json={"username": target.username, "password": password})
        assert response.status_code == 200, response.text
    # Moderators cannot create users or change roles.
    expect(page.get_by_role("button", name=f"Change role of {target.username}")).to_have_count(0)


def test_moderator_is_offered_actions_on_plain_users_only(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    plain = make_account(prefix="plain")
    admin = make_account("admin", prefix="boss")
    login(page, make_account("moderator"))
    nav(page, "Users")
    table = page.get_by_role("table", name="Users")
    search = page.get_by_label("Search all users")
    search.fill(plain.username)
    expect(table.get_by_role("button", name=f"Reset password of {plain.username}")).to_have_count(1)
    search.fill(admin.username)
    expect(table).to_contain_text(admin.username)
    expect(table.get_by_role("button")).to_have_count(0)
    # the admin the list shows opens in the detail page too, still without actions
    page.goto(f"/admin/users/{admin.id}")
    heading(page, admin.username)
    expect(page.get_by_role("main")).to_contain_text("admin")
    shot(page, "user-detail-admin-as-moderator")
    expect(page.get_by_role("button", name=f"Reset password of {admin.username}")).to_have_count(0)
    expect(page.get_by_role("button", name=f"Deactivate {admin.username}")).to_have_count(0)


def test_moderator_retries_a_dead_letter_task(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    moderator = make_account("moderator")
    login(page, moderator)
    page.goto("/admin/tasks/new")
    page.get_by_label("Task type").select_option("data_processing")
    page.get_by_label("Edit as JSON").check()
    page.get_by_label("Payload (JSON)").fill('{"operation": "max", "data": []}')
    page.get_by_role("button", name="Create task").click()
    page.wait_for_url(re.compile(r"/admin/tasks/[0-9a-f-]{36}$"))
    task_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("task-status")).to_have_text("failed", timeout=20_000)
    expect(page.get_by_test_id("task-error")).to_contain_text(
        "Cannot compute max of an empty array"
    )
    # The attempt timeline: how the run ended, with the handler's traceback folded away.
    attempts = page.get_by_role("list", name="Attempt timeline").get_by_test_id("attempt")
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("Attempt 1")
    expect(attempts.first).to_contain_text("failed")
    expect(attempts.first).to_contain_text("Cannot compute max of an empty array")
    traceback = attempts.first.get_by_label("Traceback of attempt 1")
    expect(traceback).to_be_hidden()
    attempts.first.get_by_text("Traceback", exact=True).click()
    expect(traceback).to_contain_text("Traceback (most recent call last)")
    shot(page, "task-attempts")

    nav(page, "Dead letter")
    heading(page, "Dead letter queue")
    table = page.get_by_role("table", name="Failed tasks")
    row = table.get_by_role("row").filter(has_text=task_id[:8])
    expect(row).to_contain_text("Cannot compute max of an empty array")
    shot(page, "dead-letter")
    row.get_by_role("button", name=f"Retry task {task_id[:8]}").click()
    toast(page, f"Task {task_id} has been reset to pending status")
    # The task runs again (and fails again: the payload has not changed).
    page.goto(f"/admin/tasks/{task_id}")
    expect(page.get_by_test_id("task-status")).to_have_text("failed", timeout=20_000)
    expect(page.get_by_test_id("attempt")).to_have_count(2)


def test_health_page_shows_every_probe(page: Page, admin_account: Account) -> None:
    login(page, admin_account)
    nav(page, "Health")
    heading(page, "System health")
    for path in [
        "/health",
        "/health/detailed",
        "/health/live",
        "/health/ready",
        "/health/startup",
        "/admin/health",
    ]:
        probe = page.get_by_test_id(f"probe-{path}")
        expect(probe).to_contain_text(re.compile(r"healthy|alive|ready|started"))
    expect(page.get_by_role("main")).not_to_contain_text("unhealthy")
    shot(page, "health")


def test_admin_sees_user_analytics_and_moderator_dashboard_chart(
    page: Page, admin_account: Account
) -> None:
    login(page, admin_account)
    expect(page.get_by_role("region", name="Task statistics")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Tasks created and completed"))
    expect(chart).to_be_visible()
    expect(chart.locator(".recharts-bar-rectangle").first).to_be_attached(timeout=10_000)
    time.sleep(0.3)
    shot(page, "dashboard")
    nav(page, "User analytics")
    heading(page, "User analytics")
    expect(page.get_by_role("img", name=re.compile("Active users by role"))).to_be_visible()
    shot(page, "analytics")
    nav(page, "System stats")
    heading(page, "System stats")
    expect(page.get_by_role("table", name="Workers")).to_contain_text("pid")
    shot(page, "stats")


def test_admin_edits_another_users_profile(
    page: Page, admin_account: Account, make_account
) -> None:  # type: ignore[no-untyped-def]
    target = make_account(prefix="edited")
    renamed = f"renamed_{uuid.uuid4().hex[:8]}"
    login(page, admin_account)
    page.goto(f"/admin/users/{target.id}")
    heading(page, target.username)
    page.get_by_role("button", name=f"Edit profile of {target.username}").click()
    dialog = page.get_by_role("dialog", name=f"Edit profile of {target.username}")
    dialog.get_by_label("Email", exact=True).fill("not-an-email")
    dialog.get_by_role("button", name="Save profile").click()
    expect(dialog.get_by_role("alert")).to_contain_text("mail")
    dialog.get_by_label("Username").fill(renamed)
    dialog.get_by_label("Email", exact=True).fill(f"{renamed}@example.com")
    dialog.get_by_label("Email verified").check()
    shot(page, "user-edit-profile", full_page=False)
    dialog.get_by_role("button", name="Save profile").click()
    toast(page, f"Saved the profile of {renamed}.")
    heading(page, renamed)
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{renamed}@example.com")
    expect(main.get_by_text("Email verified").locator("..")).to_contain_text("yes")
