"""Users are searched on the server across every account: one that sorts far past the first page
is found by name, the total says how many match, and matches are deactivated together."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import confirm, heading, login, nav, shot, toast

pytestmark = pytest.mark.e2e

PAGE = 25


def _arrange(stack: Stack, tag: str) -> None:
    """More accounts than fit a page ahead of the target, which sorts last by username."""
    stack.sql(
        "INSERT INTO users (username, email, password_hash) "
        "SELECT 'aaa_' || $1 || '_' || g, 'aaa_' || $1 || '_' || g || '@example.com', 'x' "
        "FROM generate_series(1, $2::int) AS g",
        tag,
        PAGE + 5,
    )
    stack.sql(
        "INSERT INTO users (username, email, password_hash, role) VALUES "
        "('zzz_' || $1 || '_one', 'zzz_' || $1 || '_one@example.com', 'x', 'moderator'), "
        "('zzz_' || $1 || '_two', 'zzz_' || $1 || '_two@example.org', 'x', 'user')",
        tag,
    )


def test_search_finds_a_user_beyond_the_first_page_and_bulk_deactivates(
    page: Page, stack: Stack, admin_account: Account
) -> None:
    tag = uuid.uuid4().hex[:8]
    _arrange(stack, tag)
    login(page, admin_account)
    nav(page, "Users")
    heading(page, "Users")
    table = page.get_by_role("table", name="Users")
    range_label = page.get_by_test_id("user-range")
    expect(range_label).to_have_text(re.compile(rf"^1–{PAGE} of [\d,]+$"))
    expect(table).not_to_contain_text(f"zzz_{tag}_one")

    search = page.get_by_label("Search all users")
    search.fill(f"zzz_{tag}")
    expect(range_label).to_have_text("1–2 of 2")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table).to_contain_text(f"zzz_{tag}_one")
    # Email is searched too, and the role filter narrows on the server.
    search.fill(f"{tag}_two@example.org")
    expect(range_label).to_have_text("1–1 of 1")
    search.fill(f"zzz_{tag}")
    page.get_by_label("Role", exact=True).select_option("moderator")
    expect(range_label).to_have_text("1–1 of 1")
    expect(table).to_contain_text(f"zzz_{tag}_one")
    page.get_by_label("Role", exact=True).select_option("")
    expect(range_label).to_have_text("1–2 of 2")
    shot(page, "users-search")
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, "users-search-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    bar = page.get_by_test_id("bulk-bar")
    table.get_by_label("Select all rows on this page").check()
    bar.get_by_role("button", name="Deactivate selected").click()
    confirm(page, "Deactivate 2 accounts?", "Deactivate")
    toast(page, "2 deactivated")
    expect(table).to_contain_text("No users found.")
    page.get_by_label("Status", exact=True).select_option("inactive")
    expect(range_label).to_have_text("1–2 of 2")
    expect(table.get_by_role("row").filter(has_text="inactive")).to_have_count(2)
    shot(page, "users-bulk-deactivated")
