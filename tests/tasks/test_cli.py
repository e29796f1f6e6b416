"""`starter admin list-tasks | task-stats | clear-completed | retry-failed` against a real
database, through the root Typer app (CliRunner), run off the event loop."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
import structlog
from click.testing import Result
from typer.testing import CliRunner

from starter.cli import runtime
from starter.cli.main import app as root
from starter.core.channels import TASKS_READY
from starter.tasks.service import register_builtin_types
from tests.tasks.conftest import insert_task

Invoke = Callable[..., Awaitable[Result]]


@pytest.fixture
async def invoke(
    database_url: str, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    # configure_logging would bind structlog to CliRunner's temporary stderr, which is closed
    # after the run and would break later log lines in this test process.
    monkeypatch.setattr(runtime, "configure_logging_for", lambda _settings: None)
    await register_builtin_types(db)
    runner = CliRunner()

    async def run(*args: str, url: str = database_url) -> Result:
        # Log lines are captured (and the config restored) instead of printed to stdout.
        with structlog.testing.capture_logs():
            return await asyncio.to_thread(
                runner.invoke, root, ["admin", *args], env={"STARTER__DATABASE__URL": url}
            )

    return run


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def aged(db: asyncpg.Connection, task_id: str, *, days: float = 0, secs: float = 0) -> None:
    """Make a task look created `secs` before it completed, `days` ago."""
    await db.execute(
        """UPDATE tasks SET completed_at = NOW() - make_interval(days => $2::int),
                            created_at = NOW() - make_interval(days => $2::int, secs => $3)
           WHERE id = $1""",
        uuid.UUID(task_id),
        int(days),
        secs,
    )


async def test_list_tasks_json_filters_and_limit(invoke: Invoke, db: asyncpg.Connection) -> None:
    old = await insert_task(db, None, status="failed", created_at_offset_secs=-30)
    new = await insert_task(db, None, status="failed", created_at_offset_secs=-10)
    await insert_task(db, None, status="pending", created_at_offset_secs=-20)
    listed = ok_json(await invoke("list-tasks", "--status", "failed", "--json"))
    assert [t["id"] for t in listed] == [new, old]
    assert listed[0]["status"] == "failed" and "metadata" in listed[0]
    assert len(ok_json(await invoke("list-tasks", "--limit", "2", "--json"))) == 2
    assert ok_json(await invoke("list-tasks", "--task-type", "email", "--json")) == []


async def test_list_tasks_human_output(invoke: Invoke, db: asyncpg.Connection) -> None:
    empty = await invoke("list-tasks")
    assert empty.exit_code == 0 and empty.stdout.strip() == "No tasks found"
    task_id = await insert_task(db, None, metadata={"tag": "nightly"})
    result = await invoke("list-tasks")
    assert result.exit_code == 0, result.output
    assert "📋 Found 1 tasks:" in result.stdout
    assert task_id in result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    verbose = await invoke("list-tasks", "--verbose")
    assert "Priority" in verbose.stdout and "normal" in verbose.stdout
    assert '"tag":"nightly"' in verbose.stdout.replace(" ", "").replace("│", "").replace("\n", "")


async def test_task_stats_json_and_tag(invoke: Invoke, db: asyncpg.Connection) -> None:
    for secs in (10, 20):
        await aged(
            db, await insert_task(db, None, status="completed", metadata={"tag": "a"}), secs=secs
        )
    await insert_task(db, None, status="failed", metadata={"tag": "b"})
    await insert_task(db, None, status="pending")
    stats = ok_json(await invoke("task-stats", "--json"))
    assert stats["by_status"] == {"pending": 1, "completed": 2, "failed": 1}
    assert stats["total"] == 4
    assert stats["average_completion_secs"] == pytest.approx(15.0, abs=0.5)
    tagged = ok_json(await invoke("task-stats", "--tag", "b", "--json"))
    assert (tagged["tag"], tagged["by_status"], tagged["total"]) == ("b", {"failed": 1}, 1)
    assert tagged["average_completion_secs"] is None


async def test_task_stats_human_output(invoke: Invoke, db: asyncpg.Connection) -> None:
    await aged(db, await insert_task(db, None, status="completed"), secs=4)
    result = await invoke("task-stats")
    assert result.exit_code == 0, result.output
    assert "📊 Overall Task Statistics:" in result.stdout
    assert "completed" in result.stdout and "Total" in result.stdout
    assert "Average completion time: 4.0" in result.stdout
    tagged = await invoke("task-stats", "--tag", "x")
    assert "📊 Task Statistics for tag 'x':" in tagged.stdout


async def test_clear_completed_dry_run_and_real(invoke: Invoke, db: asyncpg.Connection) -> None:
    old = [await insert_task(db, None, status="completed") for _ in range(3)]
    for task_id in old:
        await aged(db, task_id, days=10)
    recent = await insert_task(db, None, status="completed")
    old_failed = await insert_task(db, None, status="failed")
    await aged(db, old_failed, days=10)
    dry = await invoke("clear-completed", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.strip() == "🔍 DRY RUN: Would delete 3 completed tasks older than 7 days"
    assert await db.fetchval("SELECT count(*) FROM tasks") == 5
    kept = await invoke("clear-completed", "--older-than-days", "30")
    assert kept.stdout.strip() == "🗑️  Deleted 0 completed tasks older than 30 days"
    real = await invoke("clear-completed")
    assert real.stdout.strip().endswith("🗑️  Deleted 3 completed tasks older than 7 days")
    left = {r["id"] for r in await db.fetch("SELECT id::text FROM tasks")}
    assert left == {recent, old_failed}


async def test_clear_completed_deletes_in_batches(invoke: Invoke, db: asyncpg.Connection) -> None:
    await db.execute(
        """INSERT INTO tasks (task_type, status, completed_at)
           SELECT 'delay_task', 'completed', NOW() - interval '9 days'
           FROM generate_series(1, 2500)"""
    )
    result = await invoke("clear-completed")
    assert result.exit_code == 0, result.output
    assert "Deleted 2500 completed tasks older than 7 days" in result.stdout
    assert await db.fetchval("SELECT count(*) FROM tasks") == 0


async def test_retry_failed_resets_and_notifies(
    invoke: Invoke, db: asyncpg.Connection, database_url: str
) -> None:
    failed = [await insert_task(db, None, status="failed", last_error="x") for _ in range(2)]
    await db.execute("UPDATE tasks SET current_attempt = 5")
    await db.execute("INSERT INTO task_types (task_type) VALUES ('other_type')")
    other = await insert_task(db, None, status="failed", task_type="other_type")
    done = await insert_task(db, None, status="completed")
    heard: list[str] = []
    listener = await asyncpg.connect(database_url)
    try:
        await listener.add_listener(TASKS_READY, lambda *args: heard.append(args[3]))
        result = await invoke("retry-failed", "--task-type", "delay_task")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "🔄 Reset 2 failed tasks to pending"
        await asyncio.sleep(0.2)
        assert heard == ["delay_task"]
    finally:
        await listener.close()
    rows = {str(r["id"]): r for r in await db.fetch("SELECT * FROM tasks")}
    for task_id in failed:
        assert (rows[task_id]["status"], rows[task_id]["current_attempt"]) == ("pending", 0)
        assert rows[task_id]["last_error"] is None
    assert rows[other]["status"] == "failed" and rows[done]["status"] == "completed"
    assert (await invoke("retry-failed")).stdout.strip() == "🔄 Reset 1 failed tasks to pending"


async def test_unreachable_database_is_one_line_and_exit_1(invoke: Invoke) -> None:
    result = await invoke("list-tasks", url="postgresql://nobody:x@127.0.0.1:1/none")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
