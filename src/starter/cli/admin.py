"""`starter admin …`: direct-database maintenance."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from starter.cli.runtime import CliError, database_url, fail, settings_or_exit
from starter.core import db

app = typer.Typer(help="Direct-database maintenance commands.", no_args_is_help=True)


@app.command("cleanup-sessions")
def cleanup_sessions() -> None:
    """Deactivate expired sessions now (the worker also does this periodically)."""
    from starter.auth.service import cleanup_expired_sessions

    settings = settings_or_exit()

    async def go() -> int:
        async with db.connect_once(await database_url(settings)) as conn:
            return await cleanup_expired_sessions(conn, settings.auth)

    ended = asyncio.run(go())
    typer.echo(f"Deactivated {ended} expired session(s)")


@app.command("create-admin")
def create_admin(
    username: Annotated[str | None, typer.Option(help="Username (prompted if omitted)")] = None,
    email: Annotated[str | None, typer.Option(help="Email (prompted if omitted)")] = None,
    password: Annotated[
        str | None, typer.Option(help="Password (prompted, hidden, if omitted)")
    ] = None,
) -> None:
    """Create an administrator account (interactive, or all values as flags)."""
    from starter.auth.service import create_account
    from starter.core.errors import AppError
    from starter.rbac.roles import Role

    settings = settings_or_exit()
    username = username or typer.prompt("Username")
    email = email or typer.prompt("Email")
    password = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def go() -> str:
        async with db.connect_once(await database_url(settings)) as conn:
            try:
                user = await create_account(
                    conn, username, email, password, Role.ADMIN, email_verified=True
                )
            except AppError as error:
                raise CliError(error.message) from None
            return str(user.id)

    try:
        user_id = asyncio.run(go())
    except CliError as error:
        fail(str(error))
    typer.echo(f"Created admin '{username}' ({user_id})")
