"""`starter admin users …`: account administration straight on the database, for when nobody
can sign in to the web app. The users service acts as the system (actor=None), with its rules
(the last active admin stays)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from starter.cli.runtime import console, with_connection
from starter.rbac.roles import Role

if TYPE_CHECKING:
    from starter.auth.schemas import UserProfile
    from starter.core.db import Connection

T = TypeVar("T")

app = typer.Typer(name="users", help="List and manage accounts.", no_args_is_help=True)

UserKey = Annotated[str, typer.Argument(metavar="USER", help="Id, username or email")]
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable JSON")]


class Status(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = "all"


async def _find(conn: Connection, key: str) -> UserProfile:
    from starter.core.errors import NotFound
    from starter.users import service

    try:
        return await service.find_account(conn, key)
    except NotFound:
        raise NotFound(f"no account with id, username or email '{key}'") from None


def _show(user: UserProfile, as_json: bool, message: str) -> None:
    if as_json:
        typer.echo(json.dumps(user.model_dump(mode="json"), ensure_ascii=False))
    else:
        typer.echo(message)


@app.command("list")
def list_users(
    status: Annotated[Status, typer.Option(help="Which accounts")] = Status.ALL,
    limit: Annotated[int, typer.Option(min=1, help="At most this many (newest first)")] = 100,
    as_json: AsJson = False,
) -> None:
    """List accounts, newest first, inactive ones too."""
    from rich.table import Table

    from starter.users import service

    active = None if status is Status.ALL else status is Status.ACTIVE
    users = with_connection(lambda conn: service.accounts(conn, limit, active))
    if as_json:
        typer.echo(json.dumps([user.model_dump(mode="json") for user in users]))
        return
    if not users:
        typer.echo("No accounts found")
        return
    table = Table("ID", "Username", "Email", "Role", "Active", "Verified", "Created", "Last login")
    for user in users:
        table.add_row(
            str(user.id),
            user.username,
            user.email,
            user.role,
            "yes" if user.is_active else "no",
            "yes" if user.email_verified else "no",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
            user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "-",
        )
    console().print(table)


@app.command("set-role")
def set_role(
    user: UserKey,
    role: Annotated[Role, typer.Argument(case_sensitive=False, help="The new role")],
    as_json: AsJson = False,
) -> None:
    """Give an account a role (the last active admin keeps `admin`)."""

    async def work(conn: Connection) -> UserProfile:
        from starter.users import service

        target = await _find(conn, user)
        return await service.update_role(conn, None, target.id, role.value)

    changed = with_connection(work)
    _show(changed, as_json, f"{changed.username} is now {changed.role}")


@app.command("set-active")
def set_active(
    user: UserKey,
    active: Annotated[bool, typer.Argument(metavar="yes|no", help="Active or not")],
    as_json: AsJson = False,
) -> None:
    """Reactivate (yes) or deactivate (no) an account; deactivating ends its sessions."""

    async def work(conn: Connection) -> UserProfile:
        from starter.users import service

        target = await _find(conn, user)
        return await service.update_status(conn, None, target.id, active)

    changed = with_connection(work)
    state = "active" if changed.is_active else "inactive (its sessions ended)"
    _show(changed, as_json, f"{changed.username} is now {state}")


@app.command("reset-password")
def reset_password(
    user: UserKey,
    password: Annotated[
        str | None, typer.Option(help="The new password (prompted, hidden, if omitted)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Set a new password on an account (active or not) and end all its sessions."""
    new_password = password or typer.prompt(
        "New password", hide_input=True, confirmation_prompt=True
    )

    async def work(conn: Connection) -> UserProfile:
        from starter.users import service

        target = await _find(conn, user)
        await service.reset_password(conn, None, target.id, new_password)
        return target

    changed = with_connection(work)
    _show(changed, as_json, f"Password of {changed.username} reset; its sessions ended")
