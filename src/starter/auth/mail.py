"""Account emails: rendered from the package's templates, queued in the caller's transaction.

Auth sits below the task queue, so it only describes the queue it needs (`MailQueue`); the app
hands it the task queue's `email` producer (`app.state.mail_queue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from starter.core.config import Settings
from starter.core.db import Connection


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


class MailQueue(Protocol):
    async def __call__(self, conn: Connection, mail: Mail) -> None:
        """Queue `mail` for delivery if and only if `conn`'s transaction commits."""


@lru_cache(maxsize=1)
def _templates() -> Environment:
    # Autoescape covers the HTML bodies; the plain-text ones insert values as they are.
    return Environment(
        loader=PackageLoader("starter.auth", "email_templates"),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def public_url(settings: Settings) -> str:
    """The web app's origin as users reach it: `email.public_url`, else this server."""
    if settings.email.public_url:
        return settings.email.public_url.rstrip("/")
    host = settings.server.host
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - a bind-all address is not a place to link to
        host = "localhost"
    return f"http://{host}:{settings.server.port}"


def link(settings: Settings, path: str, token: str) -> str:
    return f"{public_url(settings)}{path}?{urlencode({'token': token})}"


SUBJECTS = {
    "password_reset": "Reset your {product} password",
    "email_verification": "Confirm your email address for {product}",
}


def render(template: str, settings: Settings, to: str, **values: object) -> Mail:
    """The plain-text and HTML bodies of `template` (a key of SUBJECTS) for one recipient."""
    product = settings.email.product_name
    context = {"product": product, **values}
    env = _templates()
    return Mail(
        to=to,
        subject=SUBJECTS[template].format(product=product),
        text=env.get_template(f"{template}.txt").render(context),
        html=env.get_template(f"{template}.html").render(context),
    )
