"""/api-docs: Swagger UI renders the whole document and "Try it out" calls this server."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import shot

pytestmark = pytest.mark.e2e

METHODS = {"get", "post", "put", "patch", "delete"}


def _document(stack: Stack) -> dict[str, object]:
    response = httpx.get(f"{stack.base_url}/api-docs/openapi.json", timeout=10)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _session_token(stack: Stack, account: Account) -> str:
    with stack.api() as api:
        response = api.post(
            "/auth/login", json={"username": account.username, "password": account.password}
        )
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["session_token"])


def test_every_tag_and_operation_is_listed(page: Page, stack: Stack) -> None:
    document = _document(stack)
    page.goto("/api-docs")
    expect(page.locator(".information-container .title")).to_contain_text("starter API")
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    page.locator(".opblock").first.wait_for()
    tags = page.locator(".opblock-tag").evaluate_all("els => els.map(e => e.dataset.tag)")
    declared = [tag["name"] for tag in document["tags"]]  # type: ignore[index]
    assert tags == declared
    used = {
        tag
        for item in document["paths"].values()  # type: ignore[attr-defined]
        for method, operation in item.items()
        if method in METHODS
        for tag in operation.get("tags", [])
    }
    assert used == set(declared), "every operation's tag is declared, with its description"
    listed = page.locator(".opblock").evaluate_all(
        """els => els.map(e => [
            e.querySelector('.opblock-summary-method').textContent.toLowerCase(),
            e.querySelector('.opblock-summary-path').dataset.path])"""
    )
    expected = {
        (method, path)
        for path, item in document["paths"].items()  # type: ignore[attr-defined]
        for method in item
        if method in METHODS
    }
    assert {tuple(entry) for entry in listed} == expected
    assert len(expected) > 50
    # The only server is this one, relative to where the page was served.
    servers = page.locator(".servers select option").all_inner_texts()
    assert servers == ["/api/v1 - This server"]
    shot(page, "api-docs", full_page=False)


def _authorize(page: Page, scheme: str, secret: str) -> None:
    """Swagger UI's Authorize dialog: give one security scheme its credential."""
    page.get_by_role("button", name="Authorize").first.click()
    modal = page.locator(".modal-ux")
    section = modal.locator(".auth-container").filter(has_text=scheme)
    section.locator("input").fill(secret)
    section.locator("button.authorize").click()
    expect(section).to_contain_text("Authorized")
    modal.locator("button.btn-done").first.click()


def _try_it_out(page: Page, path: str) -> tuple[Locator, Locator]:
    """Run GET `path` from its operation; answer (the operation, its live response)."""
    operation = page.locator(".opblock-get").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table")
    expect(live.locator("tbody .response-col_status").first).to_have_text("200", timeout=15_000)
    return operation, live.locator(".response-col_description pre").first


def test_try_it_out_with_a_bearer_token(page: Page, stack: Stack, admin_account: Account) -> None:
    page.goto("/api-docs")
    _authorize(page, "bearer_auth", _session_token(stack, admin_account))
    operation, body = _try_it_out(page, "/users/me/profile")
    expect(body).to_contain_text('"username": "admin"')
    expect(body).to_contain_text('"success": true')
    request_url = operation.locator(".request-url pre").inner_text()
    assert re.fullmatch(rf"{re.escape(stack.base_url)}/api/v1/users/me/profile", request_url)
    body.scroll_into_view_if_needed()
    shot(page, "api-docs-try-it-out", full_page=False)


def test_try_it_out_with_an_api_key(page: Page, stack: Stack, admin_account: Account) -> None:
    token = _session_token(stack, admin_account)
    with stack.api() as api:
        created = api.post(
            "/api-keys", json={"name": "docs-e2e"}, headers={"Authorization": f"Bearer {token}"}
        )
    assert created.status_code == 200, created.text
    page.goto("/api-docs")
    _authorize(page, "api_key", created.json()["data"]["key"])
    _operation, body = _try_it_out(page, "/api-keys")
    expect(body).to_contain_text("docs-e2e")
