"""Account lifecycle in the browser, with the links read from the worker's `.eml` outbox:
forgot → reset → the old session is gone → sign in anew; and verifying the email address."""

from __future__ import annotations

import email
import re
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import heading, login, shot, toast

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Brand-New-Pass-42!"
LINK_RE = re.compile(r"https?://\S+\?token=[A-Za-z0-9_-]+")


def _outbox(stack: Stack) -> Path:
    """The worker writes the mail: its working directory's `.starter/outbox`."""
    return Path(f"/proc/{stack.worker.pid}/cwd").resolve() / ".starter" / "outbox"


def _messages_to(stack: Stack, address: str) -> list[EmailMessage]:
    found = []
    outbox = _outbox(stack)
    files = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime) if outbox.is_dir() else []
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found


def _link(stack: Stack, address: str, path: str, count: int) -> str:
    """The link to `path` in the `count`-th message to `address` (waiting for the worker)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        messages = [m for m in _messages_to(stack, address) if path in str(m.get_body(("plain",)))]
        if len(messages) >= count:
            message = messages[count - 1]
            plain, html = message.get_body(("plain",)), message.get_body(("html",))
            assert plain is not None and html is not None  # both bodies, from the templates
            text = plain.get_content()
            assert "starter" in text
            found = LINK_RE.search(text)
            assert found is not None, text
            assert f'href="{found.group(0)}"' in html.get_content()
            return found.group(0)
        time.sleep(0.3)
    raise AssertionError(f"no email to {address} with a link to {path} in {_outbox(stack)}")


def test_forgot_password_reset_ends_the_old_session(
    page: Page, browser: Browser, stack: Stack, make_account
) -> None:  # type: ignore[no-untyped-def]
    account: Account = make_account()
    login(page, account)  # the session the reset must end

    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    other = context.new_page()
    try:
        other.goto("/auth/login")
        other.get_by_role("link", name="Forgot password?").click()
        heading(other, "Forgot your password?")
        other.get_by_label("Email").fill(account.email)
        other.get_by_role("button", name="Send reset link").click()
        heading(other, "Check your inbox")
        expect(other.get_by_text(f"If an account uses {account.email}")).to_be_visible()
        shot(other, "account-check-inbox")

        other.goto(_link(stack, account.email, "/auth/reset-password", 1))
        heading(other, "Choose a new password")
        rules = other.get_by_role("list", name="Password rules")
        other.get_by_label("New password", exact=True).fill("short")
        expect(rules.locator("li[data-met=true]")).to_have_count(1)  # only "at most 128"
        expect(other.get_by_role("button", name="Set new password")).to_be_disabled()
        other.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        expect(rules.locator("li[data-met=true]")).to_have_count(3)
        other.get_by_label("Confirm new password").fill(NEW_PASSWORD)
        expect(other.get_by_role("button", name="Set new password")).to_be_enabled()
        shot(other, "account-reset-password")
        other.get_by_role("button", name="Set new password").click()
        other.wait_for_url(re.compile(r"/auth/login$"))
        toast(other, "Password has been reset. Sign in with your new password.")
    finally:
        context.close()

    page.goto("/admin/profile")  # the old session was ended by the reset
    page.wait_for_url(re.compile(r"/auth/login"))
    heading(page, "Sign in")
    login(page, Account(account.username, account.email, NEW_PASSWORD, account.role))
    heading(page, f"Welcome, {account.username}")
    shot(page, "account-signed-in-after-reset")


def test_verify_email_from_the_outbox_and_the_banner_goes(
    page: Page, stack: Stack, make_account
) -> None:  # type: ignore[no-untyped-def]
    account: Account = make_account()
    login(page, account)
    banner = page.get_by_role("region", name="Email verification")
    expect(banner).to_contain_text(f"Please verify your email address {account.email}")
    banner.get_by_role("button", name="Resend verification email").click()
    toast(page, f"Check the inbox of {account.email}.")
    shot(page, "account-verification-banner")

    # The resent link is the second message; it retired the one sent at registration.
    first = _link(stack, account.email, "/auth/verify-email", 1)
    second = _link(stack, account.email, "/auth/verify-email", 2)
    page.goto(first)
    heading(page, "We could not verify your email address")
    expect(page.get_by_role("alert")).to_have_text(
        "This link is invalid or has expired. Please request a new one."
    )
    page.goto(second)
    heading(page, "Your email address is verified")
    shot(page, "account-email-verified")
    page.get_by_role("link", name="Continue to the dashboard").click()
    heading(page, f"Welcome, {account.username}")
    expect(page.get_by_role("region", name="Email verification")).to_have_count(0)

    page.goto("/admin/profile")
    heading(page, "My profile")
    expect(page.get_by_text("Verified", exact=True)).to_be_visible()
    card = page.get_by_role("region", name="Where you're signed in")
    expect(card.get_by_test_id("session")).to_have_count(1)
    expect(card).to_contain_text("Chrome on Linux")
    expect(card).to_contain_text("This device")
    shot(page, "account-sessions-card")


def test_an_admin_ends_a_users_session_from_the_users_page(
    page: Page, stack: Stack, make_account, admin_account: Account
) -> None:  # type: ignore[no-untyped-def]
    account: Account = make_account()
    with stack.api() as api:
        signed_in = api.post(
            "/auth/login",
            json={
                "username": account.username,
                "password": account.password,
                "user_agent": "Firefox/128.0 (X11; Linux x86_64)",
            },
        )
        token = signed_in.json()["data"]["session_token"]
        login(page, admin_account)
        page.goto(f"/admin/users/{account.id}")
        heading(page, account.username)
        card = page.get_by_role("region", name="Active sessions")
        expect(card.get_by_test_id("session")).to_have_count(1)
        expect(card).to_contain_text("Firefox on Linux")
        shot(page, "account-admin-user-sessions")
        card.get_by_role("button", name="Sign out Firefox on Linux").click()
        toast(page, "Signed out Firefox on Linux.")
        expect(card).to_contain_text("No active sessions.")
        me = api.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
