"""`starter generate module`, `starter revert module` and `starter rename`: change the project
tree from its root."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from starter.cli.runtime import connection, fail, run, settings_or_exit
from starter.generator.derived import WEB_SCHEMA_NOTE, DerivedFailed, regenerate, tidy_python
from starter.generator.generate import apply_generate, plan_generate
from starter.generator.names import InvalidName
from starter.generator.project import MIGRATIONS, OPENAPI, WEB_SCHEMA, NotProjectRoot, project_root
from starter.generator.rename import apply_rename, plan_rename
from starter.generator.revert import RevertPlan, apply_revert, plan_revert

generate_app = typer.Typer(help="Write new code into the project.", no_args_is_help=True)
revert_app = typer.Typer(help="Take generated code out of the project.", no_args_is_help=True)


def _root() -> Path:
    try:
        return project_root(Path.cwd())
    except NotProjectRoot as error:
        fail(str(error))


def _regenerate(root: Path, written: list[Path] | None = None) -> None:
    try:
        notes = tidy_python(root, written or []) + regenerate(root)
    except DerivedFailed as error:
        fail(str(error))
    typer.echo(
        f"  regenerated {OPENAPI}" + ("" if WEB_SCHEMA_NOTE in notes else f" and {WEB_SCHEMA}")
    )
    for note in notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW)


@generate_app.command("module")
def generate_module(
    name: Annotated[str, typer.Argument(help="Singular, lowercase: book, blog_post")],
    template: Annotated[str, typer.Option(help="basic or production")] = "basic",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the changes only")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files")] = False,
) -> None:
    """Write a module (migration, package, tests, web pages, browser journey) and register it."""
    root = _root()
    try:
        plan = plan_generate(root, name, template)
    except InvalidName as error:
        fail(str(error))
    if plan.existing and not force:
        listed = ", ".join(str(path) for path in plan.existing)
        fail(f"these files exist already (--force overwrites them): {listed}")
    names = plan.names
    verb = "Would create" if dry_run else "Creating"
    typer.echo(
        f"{verb} module '{names.singular}' (plural '{names.plural}', class "
        f"'{names.struct}') from the '{template}' template:"
    )
    for item in plan.files:
        mark = "overwrite" if Path(item.path) in plan.existing else "create"
        typer.echo(f"  {mark:<9} {item.path}")
    for registry in plan.registries:
        typer.echo(f"  register  {registry.path}: {registry.line(names.plural).strip()}")
    typer.echo(f"  rewrite   {OPENAPI}, {WEB_SCHEMA}")
    if dry_run:
        typer.echo("Dry run: nothing was changed.")
        return
    apply_generate(root, plan)
    _regenerate(root, [Path(item.path) for item in plan.files])
    typer.echo(f"Module '{names.plural}' generated: {len(plan.files)} files. Next:")
    typer.echo("  starter migrate up           # create its table")
    typer.echo(f"  .venv/bin/pytest -q tests/{names.plural}   # its tests pass as generated")
    typer.echo(f"  make web                     # the SPA gets /admin/{names.plural}")


async def _revert_migration(version: int) -> bool:
    """Revert the module's migration if it is applied and the latest; False if not applied."""
    from starter.core.migrate import migrate_down, migration_status

    settings = settings_or_exit()
    async with connection(settings) as conn:
        statuses = await migration_status(conn, Path.cwd() / MIGRATIONS)  # creates the table
        if not any(s.version == version and s.applied for s in statuses):
            return False
        # Every applied version, with those whose files are not in this tree.
        latest: int = await conn.fetchval("SELECT max(version) FROM schema_migrations")
        if latest != version:
            fail(
                f"migration {version:03d} is not the latest one applied ({latest:03d} is): "
                "revert the later ones first"
            )
        await migrate_down(conn, 1, Path.cwd() / MIGRATIONS)
        return True


def _show(plan: RevertPlan) -> None:
    typer.echo(f"Reverting module '{plan.names.plural}':")
    for path in plan.files:
        typer.echo(f"  delete     {path}{'/' if (Path.cwd() / path).is_dir() else ''}")
    for registry in plan.registries:
        typer.echo(f"  unregister {registry.path}: {registry.line(plan.names.plural).strip()}")
    if plan.migration_version is not None:
        typer.echo(f"  migrate    down {plan.migration_version:03d} on the configured database")
    typer.echo(f"  rewrite    {OPENAPI}, {WEB_SCHEMA}")


@revert_app.command("module")
def revert_module(
    name: Annotated[str, typer.Argument(help="The name given to `generate module`")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan only")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Revert the module's migration, delete its files and remove its registration."""
    root = _root()
    try:
        plan = plan_revert(root, name)
    except InvalidName as error:
        fail(str(error))
    if plan.empty:
        typer.echo(f"Nothing to revert: no files of module '{plan.names.plural}' were found.")
        return
    _show(plan)
    if dry_run:
        typer.echo("Dry run: nothing was changed.")
        return
    if not yes and not typer.confirm("Go ahead?", default=False):
        typer.echo("Cancelled: nothing was changed.")
        raise typer.Exit(1)
    if plan.migration_version is not None:
        reverted = run(_revert_migration(plan.migration_version))
        typer.echo(
            f"  migration {plan.migration_version:03d} "
            + ("reverted" if reverted else "was not applied: nothing to revert")
        )
    apply_revert(root, plan)
    _regenerate(root)
    typer.echo(f"Module '{plan.names.plural}' reverted.")


def rename(
    new_name: Annotated[str, typer.Argument(help="The project's new name: acme, my_app")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the changes only")] = False,
) -> None:
    """Rename the project in this working tree: package, CLI, env prefix, title, docs, deploy."""
    root = _root()
    try:
        plan = plan_rename(root, new_name)
    except InvalidName as error:
        fail(str(error))
    for source, target in plan.moved:
        typer.echo(f"  move     {source} -> {target}")
    typer.echo(f"  rewrite  {len(plan.rewritten)} files")
    if dry_run:
        typer.echo("Dry run: nothing was changed.")
        return
    apply_rename(root, plan)
    for note in tidy_python(root, [Path(folder) for folder in ("src", "tests", "bench")]):
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW)
    typer.echo(f"Renamed the project to '{plan.name}'. Reinstall it: make install")
