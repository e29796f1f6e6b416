"""The deployment files say what the code understands: every `STARTER__…` name they set is a
setting, and the autoscaler's queue-depth query counts the right tasks on the real schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import yaml

from starter.core.config import known_variables
from tests.support.paths import ROOT

DEPLOY = ROOT / "deploy"


def _documents(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def _names(node: Any) -> set[str]:
    """Every STARTER__ name a document sets (compose mappings and k8s env lists)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith("STARTER__"):
                found.add(key)
            if key == "name" and isinstance(value, str) and value.startswith("STARTER__"):
                found.add(value)
            found |= _names(value)
    elif isinstance(node, list):
        for item in node:
            found |= _names(item)
    return found


def test_every_variable_the_deployment_files_set_is_a_setting() -> None:
    files = [DEPLOY / "compose" / "compose.yml", *sorted((DEPLOY / "k8s").glob("*.yaml"))]
    names = set().union(*(_names(doc) for path in files for doc in _documents(path)))
    assert {"STARTER__DATABASE__LISTEN_URL", "STARTER__DATABASE__STATEMENT_CACHE_SIZE"} <= names
    assert names - set(known_variables()) == set()


def test_the_compose_pools_go_through_pgbouncer_and_listen_goes_direct() -> None:
    (compose,) = _documents(DEPLOY / "compose" / "compose.yml")
    for service in ("server", "worker"):
        env = compose["services"][service]["environment"]
        assert "@pgbouncer:6432/" in env["STARTER__DATABASE__URL"]
        assert "@postgres:5432/" in env["STARTER__DATABASE__LISTEN_URL"]
        assert env["STARTER__DATABASE__STATEMENT_CACHE_SIZE"] == "0"
    worker = compose["services"]["worker"]["healthcheck"]["test"]
    assert worker == ["CMD", "starter", "health-check", "--worker"]
    assert "pool_mode = transaction" in (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text()


def _queue_depth_query() -> str:
    docs = _documents(DEPLOY / "k8s" / "worker-autoscaler.yaml")
    (scaled,) = [doc for doc in docs if doc["kind"] == "ScaledObject"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "postgresql"
    query: str = trigger["metadata"]["query"]
    return query


async def test_the_autoscaler_query_counts_claimable_and_running_tasks(
    db: asyncpg.Connection,
) -> None:
    await db.execute("INSERT INTO task_types (task_type) VALUES ('scale') ON CONFLICT DO NOTHING")
    later = datetime.now(UTC) + timedelta(hours=1)
    rows = [
        ("pending", None),
        ("pending", None),
        ("retrying", None),
        ("running", None),
        ("pending", later),  # not due yet
        ("completed", None),
        ("failed", None),
        ("cancelled", None),
    ]
    for status, scheduled_at in rows:
        await db.execute(
            "INSERT INTO tasks (task_type, payload, status, scheduled_at)"
            " VALUES ('scale', '{}'::jsonb, $1, coalesce($2, now()))",
            status,
            scheduled_at,
        )
    assert await db.fetchval(_queue_depth_query()) == 4
