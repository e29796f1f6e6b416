"""What every command needs: settings or a one-line error, and a migrated database.

Every `starter` run imports this module and the command tree (for `--help`), so the settings,
the database driver and the rest are imported by the functions that use them: a command pays
only for what it runs."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from starter.core.config import Settings
    from starter.core.db import Connection

T = TypeVar("T")


class CliError(Exception):
    """An expected failure; printed as one line, exit code 1."""


def fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def describe_error(error: BaseException) -> str:
    """One readable line for any failure a command can meet."""
    from starter.core import db
    from starter.core.config import ConfigError
    from starter.core.errors import AppError
    from starter.core.migrate import MigrationError

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
    import asyncio

    try:
        return asyncio.run(coroutine)
    except (KeyboardInterrupt, typer.Exit, typer.Abort):
        raise
    except Exception as error:
        fail(describe_error(error))


def configure_logging_for(settings: Settings) -> None:
    from starter.core.logging import configure_logging

    json_logs = (
        settings.log_json
        if settings.log_json is not None
        else (settings.environment == "production")
    )
    configure_logging(settings.log_level, json=json_logs)


def warn_unknown_variables() -> None:
    """One line per `STARTER__…` name that no setting reads (a typo), naming the nearest."""
    from starter.core.config import environment_names, unknown_variable_warnings

    for line in unknown_variable_warnings(environment_names()):
        typer.secho(line, err=True, fg=typer.colors.YELLOW)


def settings_or_exit() -> Settings:
    """Settings from the environment, or one line and exit 1."""
    from starter.core.config import ConfigError, load_settings

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
    from starter.core import db

    url = db.resolve_listen_url(settings.database, db.resolve_database_url(settings.database))
    await db.ensure_database_exists(url)
    return url


@asynccontextmanager
async def connection(settings: Settings) -> AsyncIterator[Connection]:
    """A command's own connection to the database of `database_url`."""
    from starter.core import db

    async with db.connect_once(await database_url(settings)) as conn:
        yield conn


def console() -> Console:
    """Rich output for a command; piped output gets room for a full row instead of 80 columns."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=240)


def with_connection(work: Callable[[Connection], Awaitable[T]]) -> T:
    """Run `work` on a command's own connection (settings from the environment); any failure,
    an unreachable database included, is one line on stderr and exit code 1."""
    settings = settings_or_exit()

    async def go() -> T:
        async with connection(settings) as conn:
            return await work(conn)

    return run(go())


async def prepare_database(settings: Settings, *, initial_admin: bool) -> str:
    """Migrate, and optionally create the initial admin. Returns the URL to pool connections to."""
    from starter.auth.service import ensure_initial_admin
    from starter.core import db
    from starter.core.migrate import migrate_up

    async with connection(settings) as conn:
        await migrate_up(conn)
        if initial_admin:
            password = settings.initial_admin_password
            await ensure_initial_admin(conn, password.get_secret_value() if password else None)
    return db.resolve_database_url(settings.database)
