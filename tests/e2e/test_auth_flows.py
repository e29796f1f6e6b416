"""Sessions in the browser: redirects on 401, logout, keyboard-only use, small screens, 404."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.helpers import heading, login, nav, shot

pytestmark = pytest.mark.e2e


def test_signed_out_visit_redirects_to_login_and_back(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    page.goto("/admin/monitoring/events")
    page.wait_for_url(re.compile(r"/auth/login\?redirect=%2Fadmin%2Fmonitoring%2Fevents$"))
    shot(page, "login")
    page.get_by_label("Username or email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/monitoring/events$"))
    heading(page, "Events")


def test_a_401_mid_session_sends_the_user_to_login(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    login(page, account)
    with stack.api() as api:
        token = api.post(
            "/auth/login", json={"username": account.username, "password": account.password}
        ).json()["data"]["session_token"]
        ended = api.post("/auth/logout-all", headers={"Authorization": f"Bearer {token}"})
        assert ended.status_code == 200
    nav(page, "All tasks")
    page.wait_for_url(re.compile(r"/auth/login\?redirect=%2Fadmin%2Ftasks"))
    login(page, account, path=page.url)
    expect(page).to_have_url(re.compile(r"/admin/tasks$"))


def test_wrong_password_shows_the_server_message(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    page.goto("/auth/login")
    page.get_by_label("Username or email").fill(account.username)
    page.get_by_label("Password").fill("Wrong-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid")
    expect(page).to_have_url(re.compile(r"/auth/login"))


def test_logout_ends_the_session(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    login(page, make_account())
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/auth/login$"))
    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert "starter_session" not in cookies
    page.goto("/admin/profile")
    page.wait_for_url(re.compile(r"/auth/login\?redirect="))


def test_keyboard_only_login_and_navigation(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    page.goto("/auth/login")
    page.get_by_label("Username or email").wait_for()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username or email")).to_be_focused()
    page.keyboard.type(account.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin$"))
    # On a fresh load the first Tab reaches the skip link, which shows itself when focused.
    page.reload()
    page.get_by_test_id("current-user").wait_for()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused element has no visible outline"
    for _ in range(30):
        if page.evaluate("() => document.activeElement.textContent") == "All tasks":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/tasks$"))
    heading(page, "Tasks")


def test_plain_users_see_no_moderator_or_admin_pages(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    login(page, make_account())
    sidebar = page.get_by_role("navigation", name="Main")
    expect(sidebar.get_by_role("link", name="Incidents")).to_be_visible()
    for hidden in [
        "Users",
        "Create user",
        "User analytics",
        "Dead letter",
        "Alerts",
        "System stats",
    ]:
        expect(sidebar.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    page.goto("/admin/users")
    page.wait_for_url(re.compile(r"/admin$"))
    page.goto("/admin/monitoring/alerts")
    page.wait_for_url(re.compile(r"/admin$"))
    shot(page, "dashboard-user")


def test_unknown_page_shows_not_found_with_404(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    heading(page, "Page not found")
    shot(page, "not-found")
    page.get_by_role("link", name="Go home").click()
    page.wait_for_url(re.compile(r"/auth/login"))
    login(page, make_account())
    response = page.goto("/admin/no-such-page")
    assert response is not None and response.status == 404
    heading(page, "Page not found")


def test_small_screen_menu(browser, stack: Stack, make_account) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        # The sidebar (and the signed-in name in it) is collapsed here: log in by hand.
        account = make_account()
        page.goto("/auth/login")
        page.get_by_label("Username or email").fill(account.username)
        page.get_by_label("Password").fill(account.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/admin$"))
        menu = page.get_by_role("button", name="Menu")
        sidebar = page.get_by_role("navigation", name="Main")
        expect(sidebar).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(sidebar).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "true")
        shot(page, "mobile-menu")
        sidebar.get_by_role("link", name="All tasks").click()
        page.wait_for_url(re.compile(r"/admin/tasks$"))
        expect(sidebar).to_be_hidden()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"page overflows horizontally: {width}px"
        shot(page, "mobile-tasks")
    finally:
        context.close()
