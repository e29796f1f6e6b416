"""Notes in the browser: versions and restore, sharing read then write, search highlights, and
a note whose HTML must not run."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import heading, login, nav, shot, toast

pytestmark = pytest.mark.e2e

NOTE_URL = re.compile(r"/admin/notes/[0-9a-f-]{36}$")


def api_headers(stack: Stack, account: Account) -> dict[str, str]:
    with stack.api() as api:
        response = api.post(
            "/auth/login", json={"username": account.username, "password": account.password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['data']['session_token']}"}


def api_note(stack: Stack, owner: Account, **body: Any) -> dict[str, Any]:
    with stack.api() as api:
        response = api.post("/notes", json=body, headers=api_headers(stack, owner))
        assert response.status_code == 200, response.text
        note: dict[str, Any] = response.json()["data"]
        return note


def api_share(stack: Stack, owner: Account, note_id: str, to: Account, permission: str) -> None:
    with stack.api() as api:
        response = api.post(
            f"/notes/{note_id}/share",
            json={"user_id": to.id, "permission": permission},
            headers=api_headers(stack, owner),
        )
        assert response.status_code == 200, response.text


def save(page: Page) -> None:
    page.get_by_role("form", name="Edit note").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")


def second_page(browser: Browser, stack: Stack) -> Page:
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def share_in_dialog(page: Page, username: str, permission: str) -> None:
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog")
    form = dialog.get_by_role("form", name="Share note")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Permission").select_option(label=permission)
    form.get_by_role("button", name="Share", exact=True).click()
    toast(page, f"Shared with {username}")
    expect(dialog.get_by_role("list", name="Current shares")).to_contain_text(
        f"{username} · {permission.lower()}"
    )


def test_edit_twice_see_two_versions_and_restore_the_first(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    login(page, make_account())
    nav(page, "My notes")
    heading(page, "Notes")
    page.get_by_role("link", name="New note").click()
    heading(page, "New note")
    page.get_by_label("Title").fill("Trip plan")
    page.get_by_label("Tags").fill("Travel, summer")
    page.get_by_label("Content (Markdown)").fill("Day one: **museum**")
    expect(page.get_by_test_id("note-preview").locator("strong")).to_have_text("museum")
    page.get_by_role("form", name="Edit note").get_by_role("button", name="Save").click()
    page.wait_for_url(NOTE_URL)
    heading(page, "Trip plan")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    content = page.get_by_label("Content (Markdown)")
    content.fill("Day one: **park**")
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    save(page)
    content.fill("Day one: **beach**")
    save(page)

    page.get_by_role("link", name="History").click()
    heading(page, 'History of "Trip plan"')
    versions = page.get_by_test_id("version")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("Version 2: Trip plan")
    expect(versions.nth(1)).to_contain_text("Version 1: Trip plan")
    first = versions.nth(1)
    first.get_by_role("button", name="Compare").click()
    diff = page.get_by_test_id("diff")
    expect(diff.locator("[data-kind=removed]")).to_have_text(re.compile(r"Day one: \*\*museum\*\*"))
    expect(diff.locator("[data-kind=added]")).to_have_text(re.compile(r"Day one: \*\*beach\*\*"))
    shot(page, "notes-history")
    first.get_by_role("button", name="Restore").click()
    toast(page, re.compile(r"Restored the version of"))
    expect(versions).to_have_count(3)
    expect(versions.nth(0)).to_contain_text("Restored the version of")

    page.get_by_role("link", name="← Back to the note").click()
    expect(page.get_by_label("Content (Markdown)")).to_have_value("Day one: **museum**")
    expect(page.get_by_test_id("note-preview").locator("strong")).to_have_text("museum")

    nav(page, "My notes")
    card = page.get_by_test_id("note-card").filter(has_text="Trip plan")
    expect(card).to_contain_text("#travel")
    page.get_by_role("group", name="Filter by tag").get_by_role("button", name="#summer").click()
    expect(page.get_by_test_id("note-card")).to_have_count(1)
    shot(page, "notes-list")


def test_read_share_shows_under_shared_with_me_and_cannot_be_edited(  # type: ignore[no-untyped-def]
    page: Page, browser: Browser, stack: Stack, make_account
) -> None:
    owner, reader = make_account(prefix="owner"), make_account(prefix="reader")
    note = api_note(stack, owner, title="Recipe: soup", content="Chop the **leeks**.")
    login(page, owner)
    page.goto(f"/admin/notes/{note['id']}")
    heading(page, "Recipe: soup")
    share_in_dialog(page, reader.username, "Can read")
    shot(page, "notes-share-dialog")

    other = second_page(browser, stack)
    try:
        login(other, reader)
        nav(other, "My notes")
        expect(other.get_by_text("No notes yet. Create your first one.")).to_be_visible()
        other.get_by_role("tab", name="Shared with me").click()
        card = other.get_by_test_id("note-card").filter(has_text="Recipe: soup")
        expect(card).to_contain_text(f"by {owner.username}")
        expect(card).to_contain_text("can read")
        card.get_by_role("link", name="Recipe: soup").click()
        heading(other, "Recipe: soup")
        expect(other.get_by_test_id("read-only")).to_contain_text(
            "you can read this note but not edit it"
        )
        expect(other.get_by_test_id("note-preview").locator("strong")).to_have_text("leeks")
        expect(other.get_by_label("Content (Markdown)")).to_have_count(0)
        expect(other.get_by_role("button", name="Save")).to_have_count(0)
        expect(other.get_by_role("button", name="Share", exact=True)).to_have_count(0)
        shot(other, "notes-read-only")
    finally:
        other.context.close()


def test_write_share_lets_the_second_user_edit_and_the_owner_sees_their_version(  # type: ignore[no-untyped-def]
    page: Page, browser: Browser, stack: Stack, make_account
) -> None:
    owner, editor = make_account(prefix="owner"), make_account(prefix="editor")
    note = api_note(stack, owner, title="Team agenda", content="1. Budget")
    api_share(stack, owner, note["id"], editor, "read")
    login(page, owner)
    page.goto(f"/admin/notes/{note['id']}")
    heading(page, "Team agenda")
    share_in_dialog(page, editor.username, "Can edit")
    expect(page.get_by_role("list", name="Current shares").get_by_role("listitem")).to_have_count(1)
    page.get_by_role("dialog").get_by_role("button", name="Close").click()

    other = second_page(browser, stack)
    try:
        login(other, editor)
        other.goto(f"/admin/notes/{note['id']}")
        heading(other, "Team agenda")
        content = other.get_by_label("Content (Markdown)")
        expect(content).to_have_value("1. Budget")
        content.fill("1. Budget\n2. Hiring")
        save(other)
    finally:
        other.context.close()

    page.get_by_role("link", name="History").click()
    heading(page, 'History of "Team agenda"')
    (version,) = page.get_by_test_id("version").all()
    expect(version.get_by_test_id("version-author")).to_have_text(editor.username)
    expect(page.get_by_test_id("diff").locator("[data-kind=added]")).to_have_text(
        re.compile("2. Hiring")
    )
    shot(page, "notes-version-by-editor")


def test_search_finds_a_word_in_the_content_and_highlights_it(  # type: ignore[no-untyped-def]
    page: Page, stack: Stack, make_account
) -> None:
    owner = make_account()
    api_note(stack, owner, title="Zoo visit", content="We saw an aardvark digging near the fence.")
    api_note(stack, owner, title="Shopping", content="bread, milk")
    login(page, owner)
    nav(page, "Search notes")
    heading(page, "Search notes")
    page.get_by_role("search").get_by_label("Search").fill("aardvark")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    results = page.get_by_test_id("search-result")
    expect(results).to_have_count(1)
    expect(results.first.get_by_role("link")).to_have_text("Zoo visit")
    expect(results.first.locator("mark")).to_have_text("aardvark")
    shot(page, "notes-search")
    page.get_by_role("search").get_by_label("Search").fill("the")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_have_text("Q: Search query has no searchable words")


def test_a_note_with_a_script_renders_inert(page: Page, stack: Stack, make_account) -> None:  # type: ignore[no-untyped-def]
    owner = make_account()
    hostile = (
        "<script>window.__pwned = 'script'; alert('script')</script>\n\n"
        "<img src=\"x\" onerror=\"window.__pwned = 'img'; alert('img')\">\n\n"
        "[click](javascript:alert('link')) and **still bold**"
    )
    note = api_note(stack, owner, title="<script>alert('title')</script>", content=hostile)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    login(page, owner)
    page.goto(f"/admin/notes/{note['id']}")
    heading(page, "<script>alert('title')</script>")
    preview = page.get_by_test_id("note-preview")
    expect(preview.locator("strong")).to_have_text("still bold")
    expect(preview.locator("script")).to_have_count(0)
    expect(preview.locator("[onerror]")).to_have_count(0)
    expect(preview.locator("a", has_text="click")).to_have_count(1)
    expect(preview.locator("[href*=javascript]")).to_have_count(0)
    preview.locator("a", has_text="click").click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    shot(page, "notes-script-inert")
