"""`starter admin` task commands: list-tasks, task-stats, clear-completed, retry-failed.
Direct database access; rich tables for people, `--json` for machines. The tasks service and
rich are imported by the commands that use them (every `starter` run builds this group)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from starter.cli.runtime import console, with_connection

if TYPE_CHECKING:
    from rich.table import Table

    from starter.core.db import Connection
    from starter.tasks.schemas import TaskResponse

DELETE_BATCH = 1000

app = typer.Typer(help="Task maintenance.")


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False))


def _tasks_table(tasks: list[TaskResponse], verbose: bool) -> Table:
    from rich.table import Table

    table = Table(show_lines=False)
    table.add_column("ID", no_wrap=True, overflow="fold")
    table.add_column("Type")
    table.add_column("Status")
    if verbose:
        for heading in ("Priority", "Created", "Updated", "Metadata"):
            table.add_column(heading, overflow="fold")
    else:
        table.add_column("Created")
    for task in tasks:
        cells = [str(task.id), task.task_type, task.status]
        if verbose:
            cells += [
                task.priority,
                task.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                task.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
                json.dumps(task.metadata, separators=(",", ":"), ensure_ascii=False),
            ]
        else:
            cells.append(task.created_at.strftime("%H:%M:%S"))
        table.add_row(*cells)
    return table


@app.command("list-tasks")
def list_tasks(
    status: Annotated[str | None, typer.Option(help="Only tasks with this status")] = None,
    task_type: Annotated[str | None, typer.Option(help="Only tasks of this type")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many (newest first)")] = 50,
    verbose: Annotated[bool, typer.Option("--verbose", help="Priority, times, metadata")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON")] = False,
) -> None:
    """List tasks, newest first."""
    from starter.tasks import service

    tasks = with_connection(
        lambda conn: service.recent_tasks(conn, status=status, task_type=task_type, limit=limit)
    )
    if as_json:
        _print_json([task.model_dump(mode="json") for task in tasks])
        return
    if not tasks:
        typer.echo("No tasks found")
        return
    out = console()
    out.print(f"📋 Found {len(tasks)} tasks:")
    out.print(_tasks_table(tasks, verbose))


@app.command("task-stats")
def task_stats(
    tag: Annotated[str | None, typer.Option(help="Only tasks whose metadata tag is this")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON")] = False,
) -> None:
    """Task counts by status, the total and the average completion time."""
    from rich.table import Table

    from starter.tasks import service

    report = with_connection(lambda conn: service.status_report(conn, tag))
    if as_json:
        _print_json(
            {
                "tag": tag,
                "by_status": report.by_status,
                "total": report.total,
                "average_completion_secs": report.average_completion_secs,
            }
        )
        return
    out = console()
    title = f"Task Statistics for tag '{tag}'" if tag else "Overall Task Statistics"
    out.print(f"📊 {title}:")
    table = Table()
    table.add_column("Status")
    table.add_column("Count", justify="right")
    for status, count in report.by_status.items():
        table.add_row(status, str(count))
    table.add_row("Total", str(report.total), style="bold")
    out.print(table)
    if report.average_completion_secs is not None:
        out.print(f"  Average completion time: {report.average_completion_secs:.2f}s")


async def _delete_in_batches(conn: Connection, older_than_days: int, total: int) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from starter.tasks import service

    cutoff = service.completed_cutoff(older_than_days)
    deleted = 0
    with Progress(
        TextColumn("Deleting completed tasks"),
        BarColumn(),
        MofNCompleteColumn(),
        disable=total <= DELETE_BATCH,
    ) as progress:
        bar = progress.add_task("delete", total=total)
        while True:
            count = await service.delete_completed_batch(conn, cutoff, DELETE_BATCH)
            deleted += count
            progress.update(bar, completed=min(deleted, total))
            if count < DELETE_BATCH:
                return deleted


@app.command("clear-completed")
def clear_completed(
    older_than_days: Annotated[int, typer.Option(min=0, help="Completed more than N days ago")] = 7,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count")] = False,
) -> None:
    """Delete completed tasks older than N days (in batches, with a progress bar)."""
    from starter.tasks import service

    async def work(conn: Connection) -> int:
        total = await service.count_completed_before(
            conn, service.completed_cutoff(older_than_days)
        )
        if dry_run or total == 0:
            return total
        return await _delete_in_batches(conn, older_than_days, total)

    count = with_connection(work)
    if dry_run:
        typer.echo(
            f"🔍 DRY RUN: Would delete {count} completed tasks older than {older_than_days} days"
        )
    else:
        typer.echo(f"🗑️  Deleted {count} completed tasks older than {older_than_days} days")


@app.command("retry-failed")
def retry_failed(
    task_type: Annotated[str | None, typer.Option(help="Only failed tasks of this type")] = None,
) -> None:
    """Reset failed tasks to pending (fresh attempt count) and wake the workers."""
    from starter.tasks import service

    count = with_connection(lambda conn: service.retry_all_failed(conn, task_type))
    typer.echo(f"🔄 Reset {count} failed tasks to pending")
