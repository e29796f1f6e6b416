"""Ordered SQL migrations: `NNN_name.up.sql` / `NNN_name.down.sql`.

Applied versions are tracked in `schema_migrations` with a checksum of the up file; all
work happens under a PostgreSQL advisory lock so concurrent starters never race.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from starter.core.db import Connection

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
ADVISORY_LOCK_KEY = 0x57A7_7E12  # "starter" migrations
_FILE_PATTERN = re.compile(r"^(\d+)_([A-Za-z0-9_]+)\.up\.sql$")


class MigrationError(Exception):
    """A migration could not be applied or reverted; `str()` says which and why."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    up_path: Path
    down_path: Path

    @property
    def up_sql(self) -> str:
        return self.up_path.read_text(encoding="utf-8")

    @property
    def down_sql(self) -> str:
        return self.down_path.read_text(encoding="utf-8") if self.down_path.exists() else ""

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.up_path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class MigrationStatus:
    version: int
    name: str
    applied: bool
    checksum_ok: bool


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration in `directory`, ordered by version; duplicate versions are an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.up.sql")):
        match = _FILE_PATTERN.match(path.name)
        if not match:
            raise MigrationError(f"badly named migration file: {path.name}")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations share version {version}")
        down = path.with_name(path.name.replace(".up.sql", ".down.sql"))
        found[version] = Migration(version, match.group(2), path, down)
    return [found[v] for v in sorted(found)]


def fingerprint(directory: Path = MIGRATIONS_DIR) -> str:
    """A hash of all migrations: names a template database built from exactly these."""
    digest = hashlib.sha256()
    for migration in discover(directory):
        digest.update(f"{migration.version}:{migration.checksum};".encode())
    return digest.hexdigest()[:12]


_TRACKING_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    duration_ms INTEGER NOT NULL
)
"""


async def _applied(conn: Connection) -> dict[int, str]:
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    return {row["version"]: row["checksum"] for row in rows}


async def _locked(conn: Connection) -> None:
    await conn.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
    await conn.execute(_TRACKING_TABLE)


async def _unlock(conn: Connection) -> None:
    await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)


async def migrate_up(conn: Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every pending migration, each in its own transaction. Returns those applied."""
    migrations = discover(directory)
    await _locked(conn)
    try:
        applied = await _applied(conn)
        for migration in migrations:
            stored = applied.get(migration.version)
            if stored is not None and stored != migration.checksum:
                raise MigrationError(
                    f"migration {migration.version}_{migration.name} was changed after it was "
                    "applied (checksum mismatch); add a new migration instead"
                )
        pending = [m for m in migrations if m.version not in applied]
        for migration in pending:
            await _apply(conn, migration)
        return pending
    finally:
        await _unlock(conn)


async def _apply(conn: Connection, migration: Migration) -> None:
    started = time.perf_counter()
    try:
        async with conn.transaction():
            await conn.execute(migration.up_sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum, duration_ms) "
                "VALUES ($1, $2, $3, $4)",
                migration.version,
                migration.name,
                migration.checksum,
                int((time.perf_counter() - started) * 1000),
            )
    except Exception as error:
        raise MigrationError(f"{migration.version}_{migration.name}: {error}") from error
    log.info("migration.applied", version=migration.version, name=migration.name)


async def migrate_down(
    conn: Connection, steps: int = 1, directory: Path = MIGRATIONS_DIR
) -> list[Migration]:
    """Revert the last `steps` applied migrations, newest first. Returns those reverted."""
    by_version = {m.version: m for m in discover(directory)}
    await _locked(conn)
    try:
        applied = sorted(await _applied(conn), reverse=True)[:steps]
        reverted: list[Migration] = []
        for version in applied:
            migration = by_version.get(version)
            if migration is None or not migration.down_path.exists():
                raise MigrationError(f"no down migration for version {version}")
            try:
                async with conn.transaction():
                    await conn.execute(migration.down_sql)
                    await conn.execute("DELETE FROM schema_migrations WHERE version = $1", version)
            except Exception as error:
                raise MigrationError(f"{version}_{migration.name} (down): {error}") from error
            log.info("migration.reverted", version=version, name=migration.name)
            reverted.append(migration)
        return reverted
    finally:
        await _unlock(conn)


async def migration_status(
    conn: Connection, directory: Path = MIGRATIONS_DIR
) -> list[MigrationStatus]:
    await conn.execute(_TRACKING_TABLE)
    applied = await _applied(conn)
    return [
        MigrationStatus(
            m.version,
            m.name,
            m.version in applied,
            applied.get(m.version, m.checksum) == m.checksum,
        )
        for m in discover(directory)
    ]
