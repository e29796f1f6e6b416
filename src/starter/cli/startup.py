"""What `starter dev` and `starter server` do before serving, and the banner they print."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import typer

from starter.auth.validation import password_problem
from starter.cli.runtime import database_url
from starter.core import db
from starter.core.config import Settings
from starter.core.errors import AppError
from starter.core.migrate import migrate_up
from starter.spa import dist_dir

CREATE_ADMIN_HINT = (
    "none yet: run `starter admin create-admin`, or set STARTER__INITIAL_ADMIN_PASSWORD "
    "and restart (creates `admin`)"
)


@dataclass
class Startup:
    database_url: str
    admins: list[str] = field(default_factory=list)
    # Set only when `dev` has just created `admin` with this password: shown once, never stored.
    generated_password: str | None = None
    admin_problem: str | None = None


def random_password() -> str:
    """A password the account rules accept (they want three kinds of characters)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if password_problem(candidate) is None:
            return candidate


async def prepare_server(settings: Settings, *, generate_admin: bool) -> Startup:
    """Migrate and ensure the initial admin (from STARTER__INITIAL_ADMIN_PASSWORD, or, when
    `generate_admin` and nothing is configured, with a random password)."""
    from starter.auth.service import ensure_initial_admin
    from starter.users.service import active_admins

    direct_url = await database_url(settings)
    startup = Startup(database_url=db.resolve_database_url(settings.database))
    async with db.connect_once(direct_url) as conn:
        await migrate_up(conn)
        configured = settings.initial_admin_password
        password = configured.get_secret_value() if configured else None
        if password is None and generate_admin and not await active_admins(conn):
            password = random_password()
            startup.generated_password = password
        try:
            created = await ensure_initial_admin(conn, password)
        except AppError as error:
            created, startup.admin_problem = False, error.message
        if not created:
            startup.generated_password = None
        startup.admins = [admin.username for admin in await active_admins(conn)]
    return startup


def public_host(host: str) -> str:
    """The address a browser on this machine uses for a bind address."""
    return "localhost" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104


def mail_destination(settings: Settings) -> str:
    """Where the `email` task delivers: SMTP when configured, otherwise `.eml` files to open."""
    email = settings.email
    if email.smtp_host:
        return f"SMTP {email.smtp_host}:{email.smtp_port}"
    return f".eml files in {email.outbox_dir.resolve()} (no SMTP configured)"


def banner_lines(settings: Settings, startup: Startup, host: str, port: int) -> list[str]:
    shown_host = f"[{host}]" if ":" in public_host(host) else public_host(host)
    base = f"http://{shown_host}:{port}"
    web = (
        f"{base}/"
        if dist_dir(settings.server) is not None
        else "not built (install Node.js 20.19+ or 22.12+ and run `make web`); the API works"
    )
    lines = [
        f"  Web app:   {web}",
        f"  API docs:  {base}/api-docs",
        f"  Health:    {base}/api/v1/health",
        f"  Database:  {db.describe_database(settings.database)}",
        f"  Mail:      {mail_destination(settings)}",
    ]
    if startup.generated_password is not None:
        lines += [
            f"  Admin:     created `admin` with password {startup.generated_password}",
            "             (shown this once; sign in and change it on your profile page)",
        ]
    elif startup.admins:
        lines.append(f"  Admin:     {', '.join(startup.admins)}")
    else:
        lines.append(f"  Admin:     {CREATE_ADMIN_HINT}")
        if startup.admin_problem:
            lines.append(f"             (could not create `admin`: {startup.admin_problem})")
    return lines


def print_banner(settings: Settings, startup: Startup, *, host: str, port: int, mode: str) -> None:
    from importlib.metadata import version

    typer.echo(f"starter {version('starter')} ({mode})")
    for line in banner_lines(settings, startup, host, port):
        typer.echo(line)
