"""Every built-in task type succeeds from the payload template the New task form offers."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account
from tests.e2e.helpers import heading, login, shot

pytestmark = pytest.mark.e2e

BUILT_IN = [
    "email",
    "webhook",
    "data_processing",
    "file_cleanup",
    "report_generation",
    "delay_task",
]
DEFAULT_RETRY = "exponential, 1 s → 5 min, 5 attempts"


class _Hook(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        _Hook.received.append(self.rfile.read(length))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    """A real HTTP server on loopback; the stack lets webhooks reach `localhost`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/hooks/starter"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("task_type", BUILT_IN)
def test_builtin_type_completes_from_its_template(
    page: Page, admin_account: Account, receiver: str, task_type: str
) -> None:
    login(page, admin_account)
    page.goto("/admin/tasks/new")
    heading(page, "New task")
    expect(page).to_have_title("New task · starter")
    page.get_by_label("Task type").select_option(task_type)
    page.get_by_label("Edit as JSON").check()
    payload = page.get_by_label("Payload (JSON)")
    expect(payload).not_to_have_value("{}")
    template = json.loads(payload.input_value())
    if task_type == "webhook":
        template["url"] = receiver
        payload.fill(json.dumps(template))
    page.get_by_role("button", name="Create task").click()
    page.wait_for_url(re.compile(r"/admin/tasks/[0-9a-f-]{36}$"))
    status = page.get_by_test_id("task-status")
    expect(status).to_have_text("completed", timeout=60_000)
    expect(page.get_by_test_id("task-error")).to_have_count(0)
    expect(page.get_by_test_id("retry-strategy")).to_have_text(DEFAULT_RETRY)
    expect(page.get_by_role("main")).not_to_contain_text('"secs"')
    expect(page).to_have_title(re.compile(r"^Task [0-9a-f]{8} · starter$"))
    if task_type == "webhook":
        assert _Hook.received, "the webhook never reached the receiver"
    shot(page, f"template-{task_type}")


def test_webhook_refusal_names_the_setting_that_allows_it(
    page: Page, admin_account: Account
) -> None:
    login(page, admin_account)
    page.goto("/admin/tasks/new")
    page.get_by_label("Task type").select_option("webhook")
    page.get_by_label("Edit as JSON").check()
    page.get_by_label("Payload (JSON)").fill(json.dumps({"url": "http://127.0.0.1:9/hook"}))
    page.get_by_role("button", name="Create task").click()
    page.wait_for_url(re.compile(r"/admin/tasks/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("task-status")).to_have_text("failed", timeout=60_000)
    error = page.get_by_test_id("task-error")
    expect(error).to_contain_text("Refusing to connect to non-public address 127.0.0.1")
    expect(error).to_contain_text("STARTER__WEBHOOK__ALLOWED_PRIVATE_HOSTS=127.0.0.1")
    expect(error).to_contain_text("STARTER__WEBHOOK__ALLOW_PRIVATE=true")
    shot(page, "webhook-refused")
