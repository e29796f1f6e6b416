"""My profile: edit details, change the password, API keys with a one-time secret."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.helpers import centred, confirm, heading, login, nav, shot, toast

pytestmark = pytest.mark.e2e


def test_profile_edit_and_password_change(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    login(page, account)
    nav(page, "My profile")
    heading(page, "My profile")
    profile = page.get_by_role("form", name="Edit profile")
    expect(profile.get_by_label("Email")).to_have_value(account.email)
    new_email = f"renamed_{uuid.uuid4().hex[:6]}@example.com"
    profile.get_by_label("Email").fill(new_email)
    profile.get_by_role("button", name="Save profile").click()
    toast(page, "Profile saved.")

    password = page.get_by_role("form", name="Change password")
    password.get_by_label("Current password").fill(account.password)
    password.get_by_label("New password", exact=True).fill(account.password)
    password.get_by_label("Confirm new password").fill(account.password)
    password.get_by_role("button", name="Change password").click()
    expect(password.get_by_role("alert")).to_have_text(
        "New password: New password must be different from current password"
    )
    new_password = "Another-Secret-42"
    password.get_by_label("New password", exact=True).fill(new_password)
    password.get_by_label("Confirm new password").fill(new_password)
    password.get_by_role("button", name="Change password").click()
    toast(page, "Password has been changed.")
    shot(page, "profile")

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/auth/login$"))
    page.get_by_label("Username or email").fill(new_email)
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin$"))


def test_api_key_secret_is_shown_once_and_works(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    login(page, make_account())
    page.goto("/admin/profile")
    keys = page.get_by_role("form", name="Create API key")
    keys.get_by_label("Key name").fill("ci-deploy")
    keys.get_by_role("button", name="Create key").click()
    dialog = page.get_by_role("dialog", name="Your new API key")
    dialog.wait_for()
    centred(page, dialog.bounding_box())
    shot(page, "api-key-dialog", full_page=False)
    secret = dialog.get_by_test_id("api-key-secret")
    expect(secret).to_have_text(re.compile(r"^\S{20,}$"))
    key = secret.inner_text()
    shot(page, "api-key-created")
    dialog.get_by_role("button", name="I have saved it").click()
    expect(page.get_by_test_id("api-key-secret")).to_have_count(0)
    table = page.get_by_role("table", name="API keys")
    expect(table).to_contain_text("ci-deploy")
    expect(page.get_by_role("main")).not_to_contain_text(key)

    me = httpx.get(f"{stack.base_url}/api/v1/auth/me", headers={"X-API-Key": key}, timeout=10)
    assert me.status_code == 200, me.text

    table.get_by_role("button", name="Revoke ci-deploy").click()
    confirm(page, "Revoke ci-deploy?", "Revoke")
    toast(page, "API key revoked.")
    refused = httpx.get(f"{stack.base_url}/api/v1/auth/me", headers={"X-API-Key": key}, timeout=10)
    assert refused.status_code == 401


def test_delete_account_needs_the_word_delete(page: Page, make_account, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    login(page, account)
    page.goto("/admin/profile")
    danger = page.get_by_role("form", name="Delete account")
    danger.get_by_label("Password").fill(account.password)
    danger.get_by_label("Type DELETE to confirm").fill("delete")
    expect(danger.get_by_role("button", name="Delete my account")).to_be_disabled()
    danger.get_by_label("Type DELETE to confirm").fill("DELETE")
    danger.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(re.compile(r"/auth/login$"))
    with stack.api() as api:
        response = api.post(
            "/auth/login", json={"username": account.username, "password": account.password}
        )
    assert response.status_code == 401
