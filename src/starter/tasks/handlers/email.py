"""`email`: send through SMTP when `STARTER__EMAIL__SMTP_HOST` is set, else write an `.eml`
file into the outbox directory (one file per task, so a re-run overwrites, never duplicates)."""

from __future__ import annotations

import asyncio
import os
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Annotated, Any

import aiosmtplib
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from starter.auth.validation import email_is_valid
from starter.core.config import EmailSettings
from starter.tasks.errors import PermanentError, RetryableError
from starter.tasks.handlers._payload import TaskPayload, invalid, parse_payload
from starter.tasks.handlers.base import HandlerSpec, TaskContext


def _recipients(raw: Any) -> list[str]:
    if isinstance(raw, str):
        addresses = [raw]
    elif isinstance(raw, list) and raw and all(isinstance(item, str) for item in raw):
        addresses = list(raw)
    else:
        raise invalid("Missing 'to' field in payload")
    for address in addresses:
        if not email_is_valid(address):
            raise invalid(f"Invalid recipient address: {address!r}")
    return list(dict.fromkeys(addresses))


class EmailPayload(TaskPayload):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "to": "someone@example.com",
                    "subject": "Hello from starter",
                    "body": "This message was sent by a background task.",
                }
            ]
        }
    )

    to: Annotated[
        list[str],
        BeforeValidator(_recipients),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "format": "email"},
                    {"type": "array", "items": {"type": "string", "format": "email"}},
                ]
            }
        ),
    ] = Field(description="One address or a non-empty list (duplicates are sent once).")
    subject: str = Field(max_length=998)  # the longest header line email allows
    body: str
    html: str | None = Field(
        default=None, description="An HTML alternative to the plain-text `body`."
    )


def build_message(
    sender: str,
    recipients: list[str],
    subject: str,
    body: str,
    domain: str,
    html: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    try:
        message["From"] = sender
        message["To"] = ", ".join(recipients)
        message["Subject"] = subject
    except ValueError as error:  # CR/LF in a header: refuse rather than allow injection
        raise PermanentError(f"Invalid email header: {error}") from None
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _smtp_failure(error: aiosmtplib.SMTPException) -> RetryableError | PermanentError:
    """4xx replies and network trouble retry; 5xx replies are permanent rejections."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in error.recipients]
        text = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
        if any(400 <= code < 500 for code in codes):
            return RetryableError(f"SMTP server deferred the recipients: {text}")
        return PermanentError(f"SMTP server refused the recipients: {text}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        detail = f"SMTP error {error.code}: {error.message}"
        if 500 <= error.code < 600 and not isinstance(error, aiosmtplib.SMTPConnectError):
            return PermanentError(detail)
        return RetryableError(detail)
    if isinstance(error, aiosmtplib.SMTPNotSupported):
        return PermanentError(f"SMTP server does not support the configured mode: {error}")
    if isinstance(error, OSError):  # connection refused, dropped, timed out
        return RetryableError(f"Email service temporarily unavailable: {error}")
    return RetryableError(f"SMTP delivery failed: {error}")


async def _send_smtp(settings: EmailSettings, message: EmailMessage) -> dict[str, str]:
    assert settings.smtp_host is not None
    implicit_tls = settings.smtp_use_tls and settings.smtp_port == 465
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        refused, _ = await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            use_tls=implicit_tls,
            start_tls=settings.smtp_use_tls and not implicit_tls,
            timeout=settings.smtp_timeout_secs,
        )
    except aiosmtplib.SMTPException as error:
        raise _smtp_failure(error) from None
    except OSError as error:
        raise RetryableError(f"Email service temporarily unavailable: {error}") from None
    return {recipient: f"{reply.code} {reply.message}" for recipient, reply in refused.items()}


def _write_eml(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)  # readers never see a half-written message


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = parse_payload(EmailPayload, ctx.payload)
    recipients = payload.to
    settings = ctx.settings.email
    domain = settings.from_address.rpartition("@")[2] or "localhost"
    message = build_message(
        settings.from_address, recipients, payload.subject, payload.body, domain, payload.html
    )
    result: dict[str, Any] = {"message_id": message["Message-ID"], "recipients": recipients}
    if settings.smtp_host:
        refused = await _send_smtp(settings, message)
        result["delivered_via"] = "smtp"
        if refused:
            result["refused"] = refused
        return result
    path = (settings.outbox_dir / f"{ctx.task_id}.eml").resolve()
    try:
        await asyncio.to_thread(_write_eml, path, message.as_bytes())
    except OSError as error:
        raise RetryableError(f"Cannot write to the outbox: {error}") from None
    result.update(delivered_via="outbox", path=str(path))
    return result


SPEC = HandlerSpec(
    task_type="email",
    description="Email notification tasks",
    handle=handle,
    payload_model=EmailPayload,
)
