"""The `email` task as the mail queue of account emails (wired in `create_app`)."""

from __future__ import annotations

from starter.auth.mail import Mail
from starter.core.db import Connection
from starter.tasks.queue import enqueue


async def enqueue_mail(conn: Connection, mail: Mail) -> None:
    """An `email` task in the caller's transaction: sent if and only if it commits."""
    await enqueue(
        conn,
        task_type="email",
        payload={"to": mail.to, "subject": mail.subject, "body": mail.text, "html": mail.html},
        priority="high",
    )
