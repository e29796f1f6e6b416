"""Small steps shared by the journeys."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import TimeoutError as PlaywrightTimeout

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


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def toast(page: Page, text: str | re.Pattern[str]) -> None:
    """A notification in the app's toast region (the landmark F8 jumps to). Found by CSS: while a
    modal dialog is open the rest of the page, the region too, is hidden from the role tree."""
    page.locator("[role=region][aria-label^=Notifications] li").filter(
        has_text=text
    ).first.wait_for()


FITS_WINDOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def fits_window_after_resize(page: Page, timeout_ms: float = 5_000) -> None:
    """After a resize the page is as wide as the window once it has been laid out again. Read at
    once, it need not be yet: right after going from 1280 to 375 px the Queue page measured
    471 px with its charts already redrawn, and a moment later 375 (longer on a busy machine),
    so the width is awaited rather than read once."""
    try:
        page.wait_for_function(FITS_WINDOW, timeout=timeout_ms)
    except PlaywrightTimeout:
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        raise AssertionError(
            f"the page scrolls sideways: {widths[0]}px in a {widths[1]}px window"
        ) from None


def centred(page: Page, box: dict[str, float] | None) -> None:
    """A modal sits in the middle of the viewport (not in its top-left corner)."""
    assert box is not None
    size = page.viewport_size
    assert size is not None
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert abs(centre_x - size["width"] / 2) <= 2, (box, size)
    assert abs(centre_y - size["height"] / 2) <= 2, (box, size)


def confirm(page: Page, title: str, button: str, *, shot_as: str | None = None) -> None:
    """Answer the app's one confirmation dialog (an alert dialog): it is centred, titled, and names its verb."""
    dialog = page.get_by_role("alertdialog", name=title)
    dialog.wait_for()
    centred(page, dialog.bounding_box())
    if shot_as:
        shot(page, shot_as, full_page=False)
    dialog.get_by_role("button", name=button, exact=True).click()
    dialog.wait_for(state="hidden")
