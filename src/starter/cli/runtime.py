"""What every command needs: settings or a one-line error, and a migrated database."""

from __future__ import annotations

from typing import NoReturn

import typer

from starter.core import db
from starter.core.config import ConfigError, Settings, load_settings
from starter.core.logging import configure_logging
from starter.core.migrate import migrate_up


class CliError(Exception):
    """An expected failure; printed as one line, exit code 1."""


def fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except ConfigError as error:
        fail(str(error))
    json_logs = (
        settings.log_json
        if settings.log_json is not None
        else (settings.environment == "production")
    )
    configure_logging(settings.log_level, json=json_logs)
    return settings


async def database_url(settings: Settings) -> str:
    """Resolve (starting embedded PostgreSQL if needed) and create the database if missing."""
    url = db.resolve_database_url(settings.database)
    await db.ensure_database_exists(url)
    return url


async def prepare_database(settings: Settings, *, initial_admin: bool) -> str:
    """Migrate, and optionally create the initial admin. Returns the database URL."""
    from starter.auth.service import ensure_initial_admin

    url = await database_url(settings)
    async with db.connect_once(url) as conn:
        await migrate_up(conn)
        if initial_admin:
            password = settings.initial_admin_password
            await ensure_initial_admin(conn, password.get_secret_value() if password else None)
    return url
