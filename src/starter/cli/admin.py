"""`starter admin …`: direct-database maintenance."""

from __future__ import annotations

from typing import Annotated

import typer

from starter.cli import admin_tasks, admin_users
from starter.cli.runtime import connection, console, run, settings_or_exit, with_connection

app = typer.Typer(help="Direct-database maintenance commands.", no_args_is_help=True)
app.add_typer(admin_tasks.app)  # list-tasks, task-stats, clear-completed, retry-failed
app.add_typer(admin_users.app)  # users list | set-role | set-active | reset-password


@app.command("cleanup-sessions")
def cleanup_sessions() -> None:
    """Deactivate expired sessions now (the worker also does this periodically)."""
    from starter.auth.service import cleanup_expired_sessions

    settings = settings_or_exit()

    async def go() -> int:
        async with connection(settings) as conn:
            return await cleanup_expired_sessions(conn, settings.auth)

    ended = run(go())
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
    from starter.rbac.roles import Role

    settings = settings_or_exit()
    username = username or typer.prompt("Username")
    email = email or typer.prompt("Email")
    password = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def go() -> str:
        async with connection(settings) as conn:
            # Validation and uniqueness errors (AppError) become one line via `run`.
            user = await create_account(
                conn, username, email, password, Role.ADMIN, email_verified=True
            )
            return str(user.id)

    user_id = run(go())
    typer.echo(f"Created admin '{username}' ({user_id})")


@app.command("evaluate-alerts")
def evaluate_alerts() -> None:
    """Evaluate every active or silenced alert now (the worker also does this periodically)."""
    from rich.table import Table

    from starter.monitoring.alerts.evaluation import evaluate_alerts as evaluate
    from starter.tasks.service import count_in_status

    summary = with_connection(lambda conn: evaluate(conn, count_tasks=count_in_status))
    table = Table("alert", "status", "value", "condition", "firing", "change", "note")
    for outcome in summary.outcomes:
        table.add_row(
            outcome.name,
            outcome.status,
            "-" if outcome.value is None else f"{outcome.value:g}",
            outcome.comparison or "-",
            "yes" if outcome.firing else "no",
            outcome.change,
            outcome.reason or (f"incident {outcome.incident_id}" if outcome.incident_id else ""),
        )
    out = console()
    if summary.outcomes:
        out.print(table)
    out.print(
        f"Evaluated {len(summary.outcomes)} alert(s): {summary.count('fired')} fired, "
        f"{summary.count('resolved')} resolved, {summary.count('skipped')} skipped"
    )


@app.command("prune-monitoring")
def prune_monitoring(
    older_than_days: Annotated[
        int, typer.Option("--older-than-days", min=0, help="Delete data older than this")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would go")] = False,
) -> None:
    """Delete monitoring events and metrics older than N days (the worker does this hourly)."""
    from starter.monitoring.retention.service import prune_old_data

    counts = with_connection(lambda conn: prune_old_data(conn, older_than_days, dry_run=dry_run))
    verb = "Would delete" if dry_run else "Deleted"
    typer.echo(f"{verb} {counts['events']} event(s) and {counts['metrics']} metric(s)")
