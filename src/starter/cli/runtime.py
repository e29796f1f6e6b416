"""What every command needs: settings or a one-line error, and a migrated database."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import typer

from starter.core import db
from starter.core.config import (
    ConfigError,
    Settings,
    environment_names,
    load_settings,
    unknown_variable_warnings,
)
from starter.core.errors import AppError
from starter.core.logging import configure_logging
from starter.core.migrate import MigrationError, migrate_up

T = TypeVar("T")


class CliError(Exception):
    """An expected failure; printed as one line, exit code 1."""


def fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def describe_error(error: BaseException) -> str:
    """One readable line for any failure a command can meet."""
    if isinstance(error, CliError | MigrationError | ConfigError):
        return str(error)
    if isinstance(error, AppError):
        return error.message
    if isinstance(error, db.CONNECTION_ERRORS):
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"database unreachable: {type(error).__name__}" + (f": {detail}" if detail else "")
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; any failure becomes one line on stderr and exit code 1."""
    try:
        return asyncio.run(coroutine)
    except (KeyboardInterrupt, typer.Exit, typer.Abort):
        raise
    except Exception as error:
        fail(describe_error(error))


def configure_logging_for(settings: Settings) -> None:
    json_logs = (
        settings.log_json
        if settings.log_json is not None
        else (settings.environment == "production")
    )
    configure_logging(settings.log_level, json=json_logs)


def warn_unknown_variables() -> None:
    """One line per `STARTER__…` name that no setting reads (a typo), naming the nearest."""
    for line in unknown_variable_warnings(environment_names()):
        typer.secho(line, err=True, fg=typer.colors.YELLOW)


def settings_or_exit() -> Settings:
    """Settings from the environment, or one line and exit 1."""
    try:
        settings = load_settings()
    except ConfigError as error:
        fail(str(error))
    configure_logging_for(settings)
    return settings


async def database_url(settings: Settings) -> str:
    """The URL of a command's own connection, created if missing (starting embedded PostgreSQL
    if needed). It is the direct one (`listen_url`): migrations hold a session advisory lock,
    which a transaction pooler would leave on whichever server connection ran it."""
    url = db.resolve_listen_url(settings.database, db.resolve_database_url(settings.database))
    await db.ensure_database_exists(url)
    return url


async def prepare_database(settings: Settings, *, initial_admin: bool) -> str:
    """Migrate, and optionally create the initial admin. Returns the URL to pool connections to."""
    from starter.auth.service import ensure_initial_admin

    async with db.connect_once(await database_url(settings)) as conn:
        await migrate_up(conn)
        if initial_admin:
            password = settings.initial_admin_password
            await ensure_initial_admin(conn, password.get_secret_value() if password else None)
    return db.resolve_database_url(settings.database)
