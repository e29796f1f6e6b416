"""A payload the task type refuses is reported on the form, naming the field, and nothing is
created (POST /tasks checks it against the type's payload model)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import login, shot

pytestmark = pytest.mark.e2e


def test_refused_payload_names_the_field_on_the_form(page: Page, make_account) -> None:  # type: ignore[no-untyped-def]
    account = make_account()
    login(page, account)
    page.goto("/admin/tasks/new")
    page.get_by_label("Task type").select_option("email")
    page.get_by_label("Edit as JSON").check()
    page.get_by_label("Payload (JSON)").fill('{"to": "nobody", "subject": "Hi", "body": "Hello"}')
    page.get_by_role("button", name="Create task").click()
    # The web app shows "Validation failed for <field>: <detail>" as "<Field>: <detail>".
    expect(page.get_by_role("alert")).to_contain_text(
        "Payload.to: Invalid recipient address: 'nobody'"
    )
    shot(page, "task-new-refused-payload")
    expect(page).to_have_url(re.compile(r"/admin/tasks/new$"))
