from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from starter.core.config import Settings, WebhookSettings
from starter.tasks.errors import PermanentError, RetryableError
from starter.tasks.handlers import webhook
from starter.tasks.handlers._netguard import is_public
from tests.support.settings import make_settings
from tests.tasks.handlers.conftest import MakeContext
from tests.tasks.handlers.http_receiver import Receiver


def hook_settings(database_url: str, **values: Any) -> Settings:
    return make_settings(database_url, webhook=WebhookSettings(**values))


@pytest.fixture
def private_ok(database_url: str) -> Settings:
    return hook_settings(database_url, allow_private=True, timeout_secs=2)


async def run(make_ctx: MakeContext, payload: Any, settings: Settings) -> dict[str, Any]:
    return await webhook.handle(await make_ctx("webhook", payload, app_settings=settings))


async def test_post_delivers_json_and_headers(
    make_ctx: MakeContext, receiver: Receiver, private_ok: Settings
) -> None:
    payload = {
        "url": receiver.url("/echo"),
        "payload": {"event": "user.created", "id": 7},
        "headers": {"X-Signature": "abc123"},
    }
    result = await run(make_ctx, payload, private_ok)
    assert result["status_code"] == 200
    assert result["url"] == receiver.url("/echo")
    assert result["truncated"] is False
    assert result["response_excerpt"] == '{"ok":true,"method":"POST"}'
    assert result["response_bytes"] == len(result["response_excerpt"])
    assert isinstance(result["elapsed_ms"], int)
    [seen] = receiver.seen
    assert seen.method == "POST"
    assert seen.body == b'{"event":"user.created","id":7}'
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["x-signature"] == "abc123"
    assert seen.headers["host"] == f"127.0.0.1:{receiver.port}"


@pytest.mark.parametrize("method", ["get", "DELETE"])
async def test_bodiless_methods(
    make_ctx: MakeContext, receiver: Receiver, private_ok: Settings, method: str
) -> None:
    result = await run(make_ctx, {"url": receiver.url("/echo"), "method": method}, private_ok)
    assert result["status_code"] == 200
    assert receiver.seen[0].method == method.upper()
    assert receiver.seen[0].body == b""


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_methods_with_body(
    make_ctx: MakeContext, receiver: Receiver, private_ok: Settings, method: str
) -> None:
    await run(make_ctx, {"url": receiver.url("/echo"), "method": method}, private_ok)
    assert (receiver.seen[0].method, receiver.seen[0].body) == (method, b"{}")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (500, RetryableError),
        (503, RetryableError),
        (429, RetryableError),
        (404, PermanentError),
        (400, PermanentError),
    ],
)
async def test_error_statuses(
    make_ctx: MakeContext,
    receiver: Receiver,
    private_ok: Settings,
    code: int,
    error: type[Exception],
) -> None:
    with pytest.raises(error) as caught:
        await run(make_ctx, {"url": receiver.url(f"/status/{code}")}, private_ok)
    assert str(caught.value) == f"Webhook endpoint returned {code}"


async def test_timeout_is_retryable(
    make_ctx: MakeContext, receiver: Receiver, database_url: str
) -> None:
    settings = hook_settings(database_url, allow_private=True, timeout_secs=0.5)
    with pytest.raises(RetryableError) as caught:
        await run(make_ctx, {"url": receiver.url("/slow")}, settings)
    assert str(caught.value) == "Webhook request timed out after 0.5s"


async def test_connection_refused_is_retryable(
    make_ctx: MakeContext, receiver: Receiver, private_ok: Settings
) -> None:
    with pytest.raises(RetryableError) as caught:
        await run(make_ctx, {"url": "http://127.0.0.1:1/echo"}, private_ok)
    assert str(caught.value).startswith("Webhook request failed:")


@pytest.mark.parametrize("path", ["/big", "/endless"])
async def test_response_is_capped(
    make_ctx: MakeContext, receiver: Receiver, database_url: str, path: str
) -> None:
    settings = hook_settings(database_url, allow_private=True, max_response_bytes=3000)
    result = await run(make_ctx, {"url": receiver.url(path)}, settings)
    assert result["response_bytes"] == 3000
    assert result["truncated"] is True
    assert len(result["response_excerpt"]) == 1024


async def test_loopback_target_refused_by_default(
    make_ctx: MakeContext, receiver: Receiver, database_url: str
) -> None:
    settings = hook_settings(database_url)
    for host in ("127.0.0.1", "localhost"):
        with pytest.raises(PermanentError) as caught:
            await run(make_ctx, {"url": receiver.url("/echo", host)}, settings)
        assert str(caught.value).startswith("Refusing to connect to non-public address ")
        assert str(caught.value).endswith(
            f"(host '{host}'); to allow it set STARTER__WEBHOOK__ALLOWED_PRIVATE_HOSTS={host} "
            "or STARTER__WEBHOOK__ALLOW_PRIVATE=true"
        )
    assert receiver.seen == []


async def test_redirect_to_private_address_refused(
    make_ctx: MakeContext, receiver: Receiver, database_url: str
) -> None:
    # The first hop is explicitly allowed; the redirect target is checked on its own.
    settings = hook_settings(database_url, allowed_private_hosts=["LOCALHOST"])
    target = receiver.url("/echo")
    url = receiver.url(f"/redirect?to={target}", host="localhost")
    with pytest.raises(PermanentError) as caught:
        await run(make_ctx, {"url": url}, settings)
    assert str(caught.value) == (
        "Refusing to connect to non-public address 127.0.0.1 (host '127.0.0.1'); to allow it "
        "set STARTER__WEBHOOK__ALLOWED_PRIVATE_HOSTS=127.0.0.1 or STARTER__WEBHOOK__ALLOW_PRIVATE=true"
    )
    assert [seen.path for seen in receiver.seen] == ["/redirect"]


async def test_redirects_followed_when_private_allowed(
    make_ctx: MakeContext, receiver: Receiver, private_ok: Settings
) -> None:
    target = receiver.url("/echo")
    result = await run(make_ctx, {"url": receiver.url(f"/redirect?to={target}")}, private_ok)
    assert (result["status_code"], result["url"]) == (200, target)
    assert [(s.path, s.method) for s in receiver.seen] == [("/redirect", "POST"), ("/echo", "GET")]
    assert receiver.seen[1].body == b""


async def test_307_keeps_method_and_body(
    make_ctx: MakeContext, receiver: Receiver, private_ok: Settings
) -> None:
    url = receiver.url("/redirect?code=307&to=/echo")
    result = await run(make_ctx, {"url": url, "payload": {"a": 1}}, private_ok)
    assert result["url"] == receiver.url("/echo")
    assert [(s.method, s.body) for s in receiver.seen] == [("POST", b'{"a":1}')] * 2


async def test_redirect_limits(
    make_ctx: MakeContext, receiver: Receiver, private_ok: Settings
) -> None:
    with pytest.raises(PermanentError) as caught:
        await run(make_ctx, {"url": receiver.url("/loop")}, private_ok)
    assert str(caught.value) == "Too many redirects (more than 5)"
    with pytest.raises(PermanentError) as caught:
        await run(make_ctx, {"url": receiver.url("/redirect?to=file:///etc/passwd")}, private_ok)
    assert str(caught.value) == "Unsupported URL scheme: 'file' (use http or https)"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "Missing 'url' field in payload"),
        ({"url": 42}, "Missing 'url' field in payload"),
        ({"url": "ftp://example.com/x"}, "Unsupported URL scheme: 'ftp' (use http or https)"),
        ({"url": "/relative"}, "Unsupported URL scheme: '' (use http or https)"),
        ({"url": "http://127.0.0.1/", "method": "TRACE"}, "Unsupported HTTP method: TRACE"),
        ({"url": "http://127.0.0.1/", "method": 1}, "'method' must be a string"),
        (
            {"url": "http://127.0.0.1/", "headers": {"X": 1}},
            "'headers' must be an object of strings",
        ),
        ({"url": "http://127.0.0.1/", "headers": ["X"]}, "'headers' must be an object of strings"),
        ({"url": "http://127.0.0.1/", "headers": {"Host": "evil"}}, "Header 'Host' cannot be set"),
        ({"url": "http://127.0.0.1/", "headers": {"X-A": "1\r\nX-B: 2"}}, "Invalid header: 'X-A'"),
        ({"url": "http://127.0.0.1/", "headers": {"Bad Name": "1"}}, "Invalid header: 'Bad Name'"),
    ],
)
async def test_payload_errors(
    make_ctx: MakeContext, private_ok: Settings, payload: Any, message: str
) -> None:
    with pytest.raises(PermanentError) as caught:
        await run(make_ctx, payload, private_ok)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
    ],
)
def test_address_policy(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("url", "pinned", "extensions"),
    [
        ("https://8.8.8.8:8443/x?y=1", "https://8.8.8.8:8443/x?y=1", {"sni_hostname": "8.8.8.8"}),
        ("http://[2606:4700:4700::1111]/", "http://[2606:4700:4700::1111]/", {}),
    ],
)
async def test_public_targets_are_pinned_to_the_checked_address(
    url: str, pinned: str, extensions: dict[str, str]
) -> None:
    target, extra = await webhook._target(httpx.URL(url), WebhookSettings())
    assert (str(target), extra) == (pinned, extensions)
