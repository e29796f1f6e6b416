from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from starter.core.config import EmailSettings, Settings
from starter.tasks.errors import PermanentError, RetryableError
from starter.tasks.handlers import email
from tests.support.settings import make_settings
from tests.tasks.handlers.conftest import MakeContext

PAYLOAD = {"to": "alice@example.com", "subject": "Hello", "body": "Hi Alice,\nall good."}


def names(directory: Path) -> list[str]:
    return sorted(entry.name for entry in directory.iterdir())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Sink:
    """An SMTP server that keeps what it receives; `rcpt_reply` rejects recipients."""

    def __init__(self, rcpt_reply: str | None = None) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.rcpt_reply = rcpt_reply

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def smtp(sink: Sink) -> Iterator[int]:
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def smtp_port(sink: Sink) -> Iterator[int]:
    yield from smtp(sink)


def smtp_settings(database_url: str, port: int, **extra: Any) -> Settings:
    return make_settings(
        database_url,
        email=EmailSettings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            from_address="platform@example.org",
            smtp_timeout_secs=5,
            **extra,
        ),
    )


async def test_sends_through_smtp(
    make_ctx: MakeContext, database_url: str, sink: Sink, smtp_port: int
) -> None:
    ctx = await make_ctx("email", PAYLOAD, app_settings=smtp_settings(database_url, smtp_port))
    result = await email.handle(ctx)
    assert result["delivered_via"] == "smtp"
    assert result["recipients"] == ["alice@example.com"]
    assert "path" not in result
    assert len(sink.messages) == 1
    sender, recipients, raw = sink.messages[0]
    assert sender == "platform@example.org"
    assert recipients == ["alice@example.com"]
    received = message_from_bytes(raw, policy=policy.default)
    assert isinstance(received, EmailMessage)
    assert received["Subject"] == "Hello"
    assert received["To"] == "alice@example.com"
    assert received["Message-ID"] == result["message_id"]
    body = received.get_body()
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "Hi Alice,\nall good.\n"


async def test_sends_to_several_recipients(
    make_ctx: MakeContext, database_url: str, sink: Sink, smtp_port: int
) -> None:
    payload = {**PAYLOAD, "to": ["a@example.com", "b@example.net", "a@example.com"]}
    ctx = await make_ctx("email", payload, app_settings=smtp_settings(database_url, smtp_port))
    result = await email.handle(ctx)
    assert result["recipients"] == ["a@example.com", "b@example.net"]
    assert sink.messages[0][1] == ["a@example.com", "b@example.net"]


async def test_smtp_down_is_retryable(make_ctx: MakeContext, database_url: str) -> None:
    ctx = await make_ctx("email", PAYLOAD, app_settings=smtp_settings(database_url, free_port()))
    with pytest.raises(RetryableError) as caught:
        await email.handle(ctx)
    assert str(caught.value).startswith("Email service temporarily unavailable")


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            "550 5.1.1 No such user",
            PermanentError,
            "SMTP server refused the recipients: alice@example.com: 550 5.1.1 No such user",
        ),
        (
            "451 4.3.0 Try again later",
            RetryableError,
            "SMTP server deferred the recipients: alice@example.com: 451 4.3.0 Try again later",
        ),
    ],
)
async def test_smtp_rejections(
    make_ctx: MakeContext, database_url: str, reply: str, error: type[Exception], message: str
) -> None:
    rejecting = Sink(rcpt_reply=reply)
    for port in smtp(rejecting):
        ctx = await make_ctx("email", PAYLOAD, app_settings=smtp_settings(database_url, port))
        with pytest.raises(error) as caught:
            await email.handle(ctx)
        assert str(caught.value) == message
    assert rejecting.messages == []


async def test_credentials_without_server_auth_support_retry(
    make_ctx: MakeContext, database_url: str, smtp_port: int
) -> None:
    settings = smtp_settings(
        database_url, smtp_port, smtp_username="u", smtp_password=SecretStr("p")
    )
    ctx = await make_ctx("email", PAYLOAD, app_settings=settings)
    with pytest.raises(RetryableError) as caught:
        await email.handle(ctx)
    assert str(caught.value) == (
        "SMTP delivery failed: The SMTP AUTH extension is not supported by this server. "
        "Try connecting via TLS (or STARTTLS)."
    )


async def test_outbox_when_no_smtp_host(
    make_ctx: MakeContext, database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    settings = make_settings(database_url, email=EmailSettings(outbox_dir=outbox))
    ctx = await make_ctx(
        "email", {**PAYLOAD, "to": ["alice@example.com", "bob@example.com"]}, app_settings=settings
    )
    result = await email.handle(ctx)
    path = outbox / f"{ctx.task_id}.eml"
    assert result == {
        "delivered_via": "outbox",
        "message_id": result["message_id"],
        "recipients": ["alice@example.com", "bob@example.com"],
        "path": str(path.resolve()),
    }
    assert names(outbox) == [path.name]
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["From"] == "noreply@example.com"
    assert parsed["To"] == "alice@example.com, bob@example.com"
    assert parsed["Subject"] == "Hello"
    assert parsed["Message-ID"] == result["message_id"]
    assert parsed["Date"] is not None
    assert parsed.get_content().replace("\r\n", "\n") == "Hi Alice,\nall good.\n"
    # A re-run (at-least-once delivery) overwrites the same file.
    await email.handle(ctx)
    assert names(outbox) == [path.name]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"subject": "s", "body": "b"}, "Missing 'to' field in payload"),
        ({"to": 5, "subject": "s", "body": "b"}, "Missing 'to' field in payload"),
        ({"to": [], "subject": "s", "body": "b"}, "Missing 'to' field in payload"),
        (
            {"to": ["a@example.com", 1], "subject": "s", "body": "b"},
            "Missing 'to' field in payload",
        ),
        ({"to": "a@example.com", "body": "b"}, "Missing 'subject' field in payload"),
        ({"to": "a@example.com", "subject": "s"}, "Missing 'body' field in payload"),
        ({"to": "a@example.com", "subject": "s", "body": None}, "Missing 'body' field in payload"),
        ("not an object", "Missing 'to' field in payload"),
        (
            {"to": "not-an-address", "subject": "s", "body": "b"},
            "Invalid recipient address: 'not-an-address'",
        ),
        (
            {
                "to": ["a@example.com", "b@example.com\r\nBcc: x@evil.com"],
                "subject": "s",
                "body": "b",
            },
            "Invalid recipient address: 'b@example.com\\r\\nBcc: x@evil.com'",
        ),
    ],
)
async def test_payload_errors(make_ctx: MakeContext, payload: Any, message: str) -> None:
    ctx = await make_ctx("email", payload)
    with pytest.raises(PermanentError) as caught:
        await email.handle(ctx)
    assert str(caught.value) == message


async def test_header_injection_in_subject_is_refused(
    make_ctx: MakeContext, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, email=EmailSettings(outbox_dir=tmp_path))
    ctx = await make_ctx(
        "email", {**PAYLOAD, "subject": "Hi\r\nBcc: x@evil.com"}, app_settings=settings
    )
    with pytest.raises(PermanentError) as caught:
        await email.handle(ctx)
    assert str(caught.value).startswith("Invalid email header:")
    assert names(tmp_path) == []


async def test_outbox_not_writable_is_retryable(
    make_ctx: MakeContext, database_url: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings = make_settings(database_url, email=EmailSettings(outbox_dir=blocker / "outbox"))
    ctx = await make_ctx("email", PAYLOAD, app_settings=settings)
    with pytest.raises(RetryableError) as caught:
        await email.handle(ctx)
    assert str(caught.value).startswith("Cannot write to the outbox:")


async def test_smtp_timeout_is_retryable(make_ctx: MakeContext, database_url: str) -> None:
    """A server that accepts the connection but never greets."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = make_settings(
        database_url,
        email=EmailSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_secs=0.5),
    )
    ctx = await make_ctx("email", PAYLOAD, app_settings=settings)
    async with server:
        with pytest.raises(RetryableError) as caught:
            await email.handle(ctx)
    assert str(caught.value).startswith("Email service temporarily unavailable")
