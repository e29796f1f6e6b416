"""The built-in handlers run by the real worker: results stored, permanent errors dead-lettered."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from starter.core import db as dbmod
from starter.core.config import (
    EmailSettings,
    FilesSettings,
    Settings,
    WebhookSettings,
    WorkerSettings,
)
from starter.tasks.registry import BUILTIN_HANDLERS
from tests.support.paths import ROOT
from tests.support.settings import make_settings
from tests.support.users import AppUser
from tests.tasks.handlers.http_receiver import Receiver
from tests.worker.conftest import FAST, add_task, running_worker, wait_until


@pytest.fixture
async def conn(database_url: str) -> Any:
    async with dbmod.connect_once(database_url) as connection:
        yield connection


@pytest.fixture
def settings_for_worker(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        worker=WorkerSettings(**FAST),
        email=EmailSettings(outbox_dir=tmp_path / "outbox"),
        files=FilesSettings(root=tmp_path / "files"),
        webhook=WebhookSettings(allow_private=True, timeout_secs=5),
    )


def is_file(path: str | Path) -> bool:
    return Path(path).is_file()


async def finished(conn: asyncpg.Connection, ids: list[UUID]) -> bool:
    count = await conn.fetchval(
        "SELECT count(*) FROM tasks WHERE id = ANY($1) AND status IN ('completed', 'failed')", ids
    )
    return bool(count == len(ids))


async def test_builtin_handlers_through_the_worker(
    conn: asyncpg.Connection, settings_for_worker: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    old = tmp_path / "files" / "old.log"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"12345")
    os.utime(old, (time.time() - 48 * 3600,) * 2)
    async with running_worker(settings_for_worker, BUILTIN_HANDLERS):
        ids = {
            "email": await add_task(
                conn, "email", {"to": "a@example.com", "subject": "s", "body": "b"}
            ),
            "data": await add_task(
                conn, "data_processing", {"data": [3, 1, 2], "operation": "sort"}
            ),
            "files": await add_task(conn, "file_cleanup", {"file_path": "."}),
            "webhook": await add_task(conn, "webhook", {"url": receiver.url("/echo")}),
            "webhook_404": await add_task(conn, "webhook", {"url": receiver.url("/status/404")}),
            "bad_data": await stored_before_its_rule(conn, "data_processing", {"operation": "sum"}),
            # Last, so every task above is inside its report.
            "report": await add_task(
                conn,
                "report_generation",
                {"report_type": "tasks", "start_date": "2000-01-01", "end_date": "2100-01-01"},
            ),
        }
        await wait_until(lambda: finished(conn, list(ids.values())), timeout=30)
    rows = {
        name: await conn.fetchrow(
            "SELECT status, result, last_error, current_attempt FROM tasks WHERE id = $1", task_id
        )
        for name, task_id in ids.items()
    }
    for name in ("email", "data", "files", "report", "webhook"):
        assert rows[name]["status"] == "completed", (name, rows[name]["last_error"])
    assert rows["email"]["result"]["delivered_via"] == "outbox"
    assert is_file(rows["email"]["result"]["path"])
    assert rows["data"]["result"] == {"operation": "sort", "result": [1, 2, 3], "count": 3}
    assert rows["files"]["result"]["files"] == ["old.log"]
    assert not is_file(old)
    assert rows["report"]["result"]["rows"] == len(ids)
    artifact = await conn.fetchval(
        "SELECT content FROM task_artifacts WHERE task_id = $1 AND name = 'report.csv'",
        ids["report"],
    )
    assert bytes(artifact).count(b"\r\n") == len(ids) + 1
    assert rows["webhook"]["result"]["status_code"] == 200
    # Permanent errors are not retried: one attempt, straight to the dead-letter queue.
    for name, message in [
        ("webhook_404", "Webhook endpoint returned 404"),
        ("bad_data", "Missing 'data' field in payload"),
    ]:
        assert rows[name]["status"] == "failed"
        assert rows[name]["current_attempt"] == 1
        assert rows[name]["last_error"] == message


async def stored_before_its_rule(conn: asyncpg.Connection, task_type: str, payload: Any) -> UUID:
    """A task whose payload its type's rule now refuses (enqueue checks it): written as it was
    stored before the rule, so only the handler's own check meets it."""
    task_id: UUID = await conn.fetchval(
        "INSERT INTO tasks (task_type, payload, max_attempts) VALUES ($1, $2, 5) RETURNING id",
        task_type,
        payload,
    )
    await conn.execute("SELECT pg_notify('starter_tasks_ready', $1)", task_type)
    return task_id


def _web_templates() -> dict[str, Any]:
    """The web app's starting payloads (web/src/pages/tasks/templates.ts), read as JSON: the
    object literal of each `case "<type>": return {…};` (one line or several, as the formatter
    lays it out), with its dates replaced by ours."""
    source = (ROOT / "web" / "src" / "pages" / "tasks" / "templates.ts").read_text()
    found: dict[str, Any] = {}
    for task_type, literal in re.findall(r'case "(\w+)":\s*return (\{.*?\});', source, re.S):
        dated = re.sub(r"isoDate\((\w+)\)", lambda m: f'"{m.group(1)}"', literal)
        dated = re.sub(r",(\s*)\}", r"\1}", dated)  # a trailing comma is not JSON
        found[task_type] = json.loads(re.sub(r"([{,]\s*)(\w+):", r'\1"\2":', dated))
    return found


async def test_every_published_example_runs_through_the_api_and_worker(
    client: httpx.AsyncClient,
    admin: AppUser,
    conn: asyncpg.Connection,
    settings_for_worker: Settings,
    receiver: Receiver,
) -> None:
    """Each built-in type's `payload_schema.examples[0]` (GET /tasks/types), which are the web
    app's templates, is accepted by POST /tasks and completes on a fresh install (no files
    root yet); the webhook's goes to a local receiver, with private addresses allowed."""
    listed = (await client.get("/api/v1/tasks/types")).json()["data"]
    examples = {t["task_type"]: t["payload_schema"]["examples"][0] for t in listed}
    assert set(examples) >= {spec.task_type for spec in BUILTIN_HANDLERS}
    templates = _web_templates()
    templates["report_generation"].update(start_date="2025-01-01", end_date="2025-01-07")
    assert set(templates) == {spec.task_type for spec in BUILTIN_HANDLERS}
    assert templates == {t: examples[t] for t in templates}
    examples["webhook"] = {**examples["webhook"], "url": receiver.url("/echo")}
    assert not settings_for_worker.files.root.exists()  # a fresh install
    ids: dict[str, UUID] = {}
    async with running_worker(settings_for_worker, BUILTIN_HANDLERS):
        for spec in BUILTIN_HANDLERS:
            body = {"task_type": spec.task_type, "payload": examples[spec.task_type]}
            response = await client.post("/api/v1/tasks", json=body, headers=admin.headers)
            assert response.status_code == 200, response.text
            ids[spec.task_type] = UUID(response.json()["data"]["id"])
        await wait_until(lambda: finished(conn, list(ids.values())), timeout=30)
    for task_type, task_id in ids.items():
        row = await conn.fetchrow("SELECT status, last_error FROM tasks WHERE id = $1", task_id)
        assert row["status"] == "completed", (task_type, row["last_error"])
    assert [seen.path for seen in receiver.seen] == ["/echo"]
