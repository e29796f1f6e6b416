"""Dark mode: the app follows the system's colour scheme, and a theme chosen in the app shell is
remembered across reloads and applied before the first paint."""

from __future__ import annotations

from typing import Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import login, shot
from tests.e2e.test_every_page import sign_in

pytestmark = pytest.mark.e2e

Scheme = Literal["light", "dark"]

# The page background (slate-50) in each mode, as the browser computes it.
LIGHT_BACKGROUND = "oklch(0.984 0.003 247.858)"
DARK_BACKGROUND = "oklch(0.129 0.042 264.695)"


def _background(page: Page) -> str:
    return str(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))


def _dark(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.classList.contains('dark')"))


@pytest.mark.parametrize(
    ("scheme", "background"), [("light", LIGHT_BACKGROUND), ("dark", DARK_BACKGROUND)]
)
def test_system_mode_follows_the_colour_scheme(
    browser: Browser, stack: Stack, scheme: Scheme, background: str
) -> None:
    context = browser.new_context(base_url=stack.base_url, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto("/auth/login")
        page.get_by_role("heading", name="Sign in").wait_for()
        assert _dark(page) == (scheme == "dark")
        assert _background(page) == background
        shot(page, f"dark-mode-system-{scheme}", full_page=False)
        # While on "system" the page follows a change of the system's scheme at once.
        other: Scheme = "light" if scheme == "dark" else "dark"
        page.emulate_media(color_scheme=other)
        page.wait_for_function(
            f"() => document.documentElement.classList.contains('dark') === {str(other == 'dark').lower()}"
        )
    finally:
        context.close()


def test_chosen_theme_is_remembered_and_painted_first(  # type: ignore[no-untyped-def]
    browser: Browser, stack: Stack, make_account
) -> None:
    account: Account = make_account()
    context = browser.new_context(base_url=stack.base_url, color_scheme="light")
    page = context.new_page()
    try:
        login(page, account)
        theme = page.get_by_label("Theme")
        expect(theme).to_have_value("system")
        assert _background(page) == LIGHT_BACKGROUND
        theme.select_option("dark")
        page.wait_for_function("() => document.documentElement.classList.contains('dark')")
        assert _background(page) == DARK_BACKGROUND
        shot(page, "dark-mode-dashboard", full_page=False)

        # Before any script of the app runs, the inline script has already applied the choice.
        page.add_init_script(
            "document.addEventListener('readystatechange', () => {"
            " if (document.readyState === 'interactive' && !window.__firstDark)"
            " window.__firstDark = String(document.documentElement.classList.contains('dark')); });"
        )
        page.reload()
        page.get_by_test_id("current-user").wait_for()
        assert page.evaluate("() => window.__firstDark") == "true"
        expect(page.get_by_label("Theme")).to_have_value("dark")
        assert _background(page) == DARK_BACKGROUND

        # A fresh page of the same browser (a sign-in page, no app shell) is dark too.
        page.goto("/auth/register")
        page.get_by_role("heading", name="Create an account").wait_for()
        assert _background(page) == DARK_BACKGROUND

        page.goto("/admin")
        page.get_by_label("Theme").select_option("light")
        page.reload()
        page.get_by_test_id("current-user").wait_for()
        assert not _dark(page)
        assert _background(page) == LIGHT_BACKGROUND
    finally:
        context.close()


def test_dark_pages_on_a_phone(browser: Browser, stack: Stack, admin_account: Account) -> None:
    """The shell's menu, a list and a form in dark mode at 375 px (looked at, and readable)."""
    context = browser.new_context(
        base_url=stack.base_url, viewport={"width": 375, "height": 812}, color_scheme="dark"
    )
    page = context.new_page()
    try:
        sign_in(page, admin_account)
        assert _background(page) == DARK_BACKGROUND
        for path in ("/admin", "/admin/tasks", "/admin/profile", "/admin/monitoring/metrics"):
            page.goto(path)
            page.get_by_role("heading", level=1).wait_for()
            page.wait_for_load_state("networkidle")
            shot(page, f"dark-375{path.replace('/', '-')}")
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_label("Theme")).to_be_visible()
        shot(page, "dark-375-menu", full_page=False)
    finally:
        context.close()
