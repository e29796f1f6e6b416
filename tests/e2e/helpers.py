"""Small steps shared by the journeys."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.e2e.conftest import ARTIFACTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import Account


def login(page: Page, account: Account, *, path: str = "/auth/login") -> None:
    page.goto(path)
    page.get_by_label("Username or email").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin"))
    page.get_by_test_id("current-user").wait_for()


def nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()


def heading(page: Page, text: str) -> None:
    page.get_by_role("heading", level=1, name=text).wait_for()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def toast(page: Page, text: str | re.Pattern[str]) -> None:
    page.locator("[aria-live=polite]").get_by_text(text).first.wait_for()
