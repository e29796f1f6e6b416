"""Helpers every benchmark shares: a scratch database, a free port, a process's CPU time."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import asyncpg

from starter.core import db
from starter.core.config import Settings, load_settings


async def recreate_database(
    name: str, settings: Settings | None = None, *, synchronous_commit: bool = True
) -> str:
    """Drop and create `name` on the configured (or embedded) server; return its URL.

    `synchronous_commit=False` measures the code, not this disk's fsync latency.
    """
    url = db.resolve_database_url((settings or load_settings()).database)
    admin = await asyncpg.connect(db.with_database(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        if not synchronous_commit:
            await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await admin.close()
    return db.with_database(url, name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), to report work per request
    independently of how busy the machine is; None where /proc is unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


BENCH_SETTINGS = ("synchronous_commit", "fsync", "shared_buffers", "max_connections")


async def server_settings(url: str, names: tuple[str, ...] = BENCH_SETTINGS) -> str:
    """`name=value` of the PostgreSQL settings a bench runs with, as its own sessions see them
    (database-level overrides included), e.g. `synchronous_commit=off fsync=on …`."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name",
            list(names),
        )
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return f"PostgreSQL {version}: " + " ".join(f"{r['name']}={r['value']}" for r in rows)


def load_average() -> str:
    """The machine's 1/5/15-minute load averages (the bench shares the cores with them)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
