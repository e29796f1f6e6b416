"""`starter`: the root command. Each domain contributes its own Typer group."""

from __future__ import annotations

import json
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from starter.cli import admin, generate
from starter.cli.runtime import (
    CliError,
    describe_error,
    fail,
    prepare_database,
    settings_or_exit,
    warn_unknown_variables,
    with_connection,
)
from starter.cli.runtime import run as run_command

if TYPE_CHECKING:
    from starter.core.config import Settings
    from starter.core.db import Connection

T = TypeVar("T")

app = typer.Typer(
    name="starter",
    help="starter: API server, background worker, migrations and admin tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(admin.app, name="admin")
app.add_typer(generate.generate_app, name="generate")
app.add_typer(generate.revert_app, name="revert")
app.command("rename")(generate.rename)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"starter {version('starter')}")
        raise typer.Exit()


@app.callback()
def root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit"
        ),
    ] = False,
) -> None:
    """starter: API server, background worker, migrations and admin tools."""
    warn_unknown_variables()


def _free_address(settings: Settings, host: str | None, port: int | None) -> tuple[str, int]:
    """The address to serve on; a busy port is one line and exit 1, before anything starts."""
    from starter.cli.serve import PortInUse, check_port_free

    address = (host or settings.server.host, port or settings.server.port)
    try:
        check_port_free(*address)
    except (PortInUse, OSError) as error:
        fail(describe_error(error))
    return address


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; any failure becomes one readable line and exit 1."""
    return run_command(coroutine)


@app.command()
def server(
    port: Annotated[int | None, typer.Option(help="Port (default STARTER__SERVER__PORT)")] = None,
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes")] = 1,
) -> None:
    """Run the HTTP API and web app (migrates and ensures the initial admin first)."""
    from starter.cli.serve import leave_database_on_sigterm, serve
    from starter.cli.startup import prepare_server, print_banner

    settings = settings_or_exit()
    host, port = _free_address(settings, host, port)
    leave_database_on_sigterm()
    startup = run(prepare_server(settings, generate_admin=False))
    print_banner(settings, startup, host=host, port=port, mode="server")
    serve(settings, host=host, port=port, workers=workers)


@app.command()
def dev(
    port: Annotated[int | None, typer.Option(help="Port (default STARTER__SERVER__PORT)")] = None,
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
) -> None:
    """Everything in one process for a laptop: embedded PostgreSQL, migrations, API, SPA, worker.

    With no admin and no STARTER__INITIAL_ADMIN_PASSWORD, creates `admin` with a random
    password and prints it once."""
    from starter.cli.serve import leave_database_on_sigterm, serve_with_worker
    from starter.cli.startup import prepare_server, print_banner

    settings = settings_or_exit()
    host, port = _free_address(settings, host, port)
    leave_database_on_sigterm()
    startup = run(prepare_server(settings, generate_admin=True))
    print_banner(settings, startup, host=host, port=port, mode="dev")
    serve_with_worker(settings, host=host, port=port, database_url=startup.database_url)


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, help="Max concurrent tasks (default STARTER__WORKER__CONCURRENCY)"),
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on this port")
    ] = None,
) -> None:
    """Run the background worker: claims and runs tasks until SIGTERM/SIGINT, then drains."""
    from starter.worker.lifecycle import run_worker

    settings = settings_or_exit()
    url = run(prepare_database(settings, initial_admin=False))
    slots = concurrency or settings.worker.concurrency
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    typer.echo(f"Background worker starting with {slots} max concurrent tasks")
    run(run_worker(settings, url, concurrency=slots))


@app.command()
def migrate(
    direction: Annotated[str, typer.Argument(help="up, down or status")] = "up",
    steps: Annotated[int, typer.Option(min=1, help="How many to revert with `down`")] = 1,
) -> None:
    """Apply (`up`), revert (`down`) or list (`status`) schema migrations."""
    from starter.core.migrate import migrate_down, migrate_up, migration_status

    if direction not in {"up", "down", "status"}:
        fail(f"unknown direction '{direction}': use up, down or status")

    async def go(conn: Connection) -> None:
        if direction == "up":
            applied = await migrate_up(conn)
            typer.echo(f"Applied {len(applied)} migration(s)")
            for m in applied:
                typer.echo(f"  {m.version:03d} {m.name}")
        elif direction == "down":
            reverted = await migrate_down(conn, steps)
            typer.echo(f"Reverted {len(reverted)} migration(s)")
            for m in reverted:
                typer.echo(f"  {m.version:03d} {m.name}")
        else:
            for status in await migration_status(conn):
                mark = "applied" if status.applied else "pending"
                if status.applied and not status.checksum_ok:
                    mark = "applied (CHANGED since applied)"
                typer.echo(f"{status.version:03d} {status.name:<30} {mark}")

    with_connection(go)


@app.command("health-check")
def health_check(
    worker: Annotated[
        bool,
        typer.Option("--worker", help="Check this host's worker (its health file) instead"),
    ] = False,
) -> None:
    """Probe the database (never starts one): prints OK and exits 0, or one line and exits 1."""
    from starter.core import db

    settings = settings_or_exit()
    if worker:
        from starter.worker.health import check_worker_health

        problem = check_worker_health(settings.worker)
        if problem is not None:
            fail(problem)
        typer.echo("OK")
        return

    async def probe() -> None:
        url = db.resolve_running_database_url(settings.database)
        if url is None:
            raise CliError(
                "database unreachable: the embedded PostgreSQL in "
                f"{settings.database.embedded_dir} is not running (start `starter dev`)"
            )
        try:
            # The pool's URL, which may be a transaction pooler: probe what requests use.
            cache = settings.database.statement_cache_size
            async with db.connect_once(url, statement_cache_size=cache) as conn:
                await conn.fetchval("SELECT 1")
        except Exception as error:
            detail = describe_error(error)
            if not detail.startswith("database unreachable"):
                detail = f"database unreachable: {detail}"
            raise CliError(detail) from None

    run(probe())
    typer.echo("OK")


@app.command("export-openapi")
def export_openapi(
    output: Annotated[Path, typer.Option(help="Where to write the document")] = Path(
        "docs/openapi.json"
    ),
) -> None:
    """Write the OpenAPI document generated from the code."""
    from starter.app import create_app
    from starter.docs import build_openapi

    document = build_openapi(create_app(settings_or_exit()))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(f"OpenAPI specification exported to: {output}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # last resort: one readable line, never a traceback
        typer.secho(f"error: {describe_error(error)}", err=True, fg=typer.colors.RED)
        sys.exit(1)
