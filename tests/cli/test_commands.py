"""The `starter` CLI as an operator uses it: help everywhere, one-line errors, migrations,
health-check, export-openapi and the admin commands, against a real database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest
import typer.main
from typer.testing import CliRunner

from starter.cli.main import app
from starter.core.migrate import discover
from tests.cli.conftest import Result, Starter, cli_env, closed_port_url, run_starter

STRONG = "Str0ng!Passw0rd"


def _assert_one_line_failure(result: Result, *fragments: str) -> None:
    assert result.code == 1, result
    assert "Traceback" not in result.stderr, result.stderr
    assert len(result.error_lines) == 1, result.stderr
    line = result.error_lines[0]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, line


def _command_paths(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in getattr(group, "commands", {}).items():
        paths += _command_paths(command, (*prefix, name))
    return paths


EXPECTED_COMMANDS = {
    ("server",),
    ("dev",),
    ("migrate",),
    ("health-check",),
    ("export-openapi",),
    ("admin",),
    ("admin", "cleanup-sessions"),
    ("admin", "create-admin"),
}


def test_help_works_for_every_command() -> None:
    root = typer.main.get_command(app)
    paths = _command_paths(root)
    assert set(paths) >= EXPECTED_COMMANDS
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output, path


def test_server_help_lists_its_flags() -> None:
    output = CliRunner().invoke(app, ["server", "--help"]).output
    for flag in ("--port", "--host", "--workers"):
        assert flag in output
    migrate = CliRunner().invoke(app, ["migrate", "--help"]).output
    assert "up, down or status" in migrate
    create = CliRunner().invoke(app, ["admin", "create-admin", "--help"]).output
    for flag in ("--username", "--email", "--password"):
        assert flag in create


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STARTER__SERVER__PORT", "0"),
        ("STARTER__DATABASE__MAX_CONNECTIONS", "lots"),
        ("STARTER__WORKER__CONCURRENCY", "0"),
        ("STARTER__SERVER__TRUSTED_PROXIES", "10.0.0.1,proxy.internal"),
    ],
)
async def test_invalid_config_is_one_line_naming_the_variable(
    starter: Starter, variable: str, value: str
) -> None:
    result = await starter("health-check", **{variable: value})
    _assert_one_line_failure(result, "invalid configuration", variable)


async def test_unknown_migrate_direction(starter: Starter) -> None:
    _assert_one_line_failure(await starter("migrate", "sideways"), "sideways")


async def test_migrate_status_down_up_round_trip(starter: Starter, db: asyncpg.Connection) -> None:
    migrations = discover()
    last = migrations[-1]
    status = await starter("migrate", "status")
    assert status.code == 0, status
    lines = status.stdout.strip().splitlines()
    assert len(lines) == len(migrations)
    assert all(line.endswith("applied") for line in lines), status.stdout

    down = await starter("migrate", "down")
    assert down.code == 0, down
    assert down.stdout.splitlines()[0] == "Reverted 1 migration(s)"
    assert f"{last.version:03d} {last.name}" in down.stdout
    status = await starter("migrate", "status")
    assert status.stdout.strip().splitlines()[-1].endswith("pending")

    up = await starter("migrate", "up")
    assert up.code == 0, up
    assert up.stdout.splitlines()[0] == "Applied 1 migration(s)"
    again = await starter("migrate", "up")
    assert again.stdout.splitlines()[0] == "Applied 0 migration(s)"
    versions = await db.fetch("SELECT version FROM schema_migrations ORDER BY version")
    assert [row["version"] for row in versions] == [m.version for m in migrations]


async def test_every_migration_reverts_and_reapplies(
    starter: Starter, db: asyncpg.Connection
) -> None:
    count = len(discover())
    down = await starter("migrate", "down", "--steps", str(count))
    assert down.code == 0, down
    assert down.stdout.splitlines()[0] == f"Reverted {count} migration(s)"
    assert await db.fetchval("SELECT to_regclass('users')") is None
    assert await db.fetchval("SELECT count(*) FROM schema_migrations") == 0
    up = await starter("migrate", "up")
    assert up.code == 0, up
    assert up.stdout.splitlines()[0] == f"Applied {count} migration(s)"
    assert await db.fetchval("SELECT to_regclass('users')") is not None


async def test_concurrent_migrate_up_is_serialized(empty_database_url: str) -> None:
    env = cli_env(empty_database_url)
    first, second = await asyncio.gather(
        run_starter("migrate", "up", env=env), run_starter("migrate", "up", env=env)
    )
    assert (first.code, second.code) == (0, 0), (first, second)
    count = len(discover())
    summaries = sorted([first.stdout.splitlines()[0], second.stdout.splitlines()[0]])
    assert summaries == ["Applied 0 migration(s)", f"Applied {count} migration(s)"]
    conn = await asyncpg.connect(empty_database_url)
    try:
        rows = await conn.fetch("SELECT version FROM schema_migrations")
    finally:
        await conn.close()
    assert sorted(row["version"] for row in rows) == [m.version for m in discover()]


async def test_health_check_ok(starter: Starter) -> None:
    result = await starter("health-check")
    assert (result.code, result.stdout) == (0, "OK\n"), result


async def test_health_check_failure_is_one_line() -> None:
    result = await run_starter("health-check", env=cli_env(closed_port_url()))
    _assert_one_line_failure(result, "database unreachable")
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command",
    [("migrate", "status"), ("admin", "cleanup-sessions"), ("server", "--port", "9")],
)
async def test_unreachable_database_is_one_line(command: tuple[str, ...]) -> None:
    result = await run_starter(*command, env=cli_env(closed_port_url()))
    _assert_one_line_failure(result, "database unreachable")


async def test_export_openapi_writes_the_document(starter: Starter, tmp_path: Path) -> None:
    target = tmp_path / "nested" / "openapi.json"
    result = await starter("export-openapi", "--output", str(target))
    assert result.code == 0, result
    assert result.stdout.strip() == f"OpenAPI specification exported to: {target}"
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.")
    assert "/auth/login" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer_auth"]["scheme"] == "bearer"


async def test_export_openapi_to_unwritable_place_is_one_line(starter: Starter) -> None:
    result = await starter("export-openapi", "--output", "/proc/no/such/openapi.json")
    _assert_one_line_failure(result)


async def test_create_admin_with_flags(starter: Starter, db: asyncpg.Connection) -> None:
    result = await starter(
        "admin",
        "create-admin",
        "--username",
        "root_admin",
        "--email",
        "root@example.com",
        "--password",
        STRONG,
    )
    assert result.code == 0, result
    assert result.stdout.startswith("Created admin 'root_admin' (")
    row = await db.fetchrow(
        "SELECT role, is_active, email_verified, password_hash FROM users WHERE username = $1",
        "root_admin",
    )
    assert row is not None
    assert (row["role"], row["is_active"], row["email_verified"]) == ("admin", True, True)
    assert row["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")

    duplicate = await starter(
        "admin",
        "create-admin",
        "--username",
        "root_admin",
        "--email",
        "other@example.com",
        "--password",
        STRONG,
    )
    _assert_one_line_failure(duplicate, "Username already exists")


async def test_create_admin_interactive(starter: Starter, db: asyncpg.Connection) -> None:
    answers = f"prompted_admin\nprompted@example.com\n{STRONG}\n{STRONG}\n".encode()
    result = await starter("admin", "create-admin", stdin=answers)
    assert result.code == 0, result
    role = await db.fetchval("SELECT role FROM users WHERE username = 'prompted_admin'")
    assert role == "admin"


async def test_create_admin_rejects_weak_password(starter: Starter, db: asyncpg.Connection) -> None:
    result = await starter(
        "admin",
        "create-admin",
        "--username",
        "weak_admin",
        "--email",
        "weak@example.com",
        "--password",
        "password",
    )
    _assert_one_line_failure(result, "Validation failed for password: ")
    assert await db.fetchval("SELECT count(*) FROM users WHERE username = 'weak_admin'") == 0


async def test_cleanup_sessions(starter: Starter, db: asyncpg.Connection) -> None:
    user_id = await db.fetchval(
        """INSERT INTO users (username, email, password_hash)
           VALUES ('sess_owner', 'sess@example.com', 'x') RETURNING id"""
    )
    await db.execute(
        """INSERT INTO sessions (user_id, token_hash, expires_at)
           VALUES ($1, 'expired-1', NOW() - interval '1 hour'),
                  ($1, 'expired-2', NOW() - interval '2 days'),
                  ($1, 'current', NOW() + interval '1 hour')""",
        user_id,
    )
    result = await starter("admin", "cleanup-sessions")
    assert result.code == 0, result
    assert result.stdout.strip() == "Deactivated 2 expired session(s)"
    rows = await db.fetch("SELECT token_hash, is_active FROM sessions ORDER BY token_hash")
    assert [(r["token_hash"], r["is_active"]) for r in rows] == [
        ("current", True),
        ("expired-1", False),
        ("expired-2", False),
    ]
    again = await starter("admin", "cleanup-sessions")
    assert again.stdout.strip() == "Deactivated 0 expired session(s)"
