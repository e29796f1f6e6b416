"""record_event: the internal entry point other packages call."""

from __future__ import annotations

import asyncio

import asyncpg

from starter.monitoring.events.service import record_event


async def test_record_event_inserts_row_with_defaults(db: asyncpg.Connection) -> None:
    await record_event(db, event_type="log", source="tasks", message="done")
    row = await db.fetchrow("SELECT * FROM events")
    assert row is not None
    assert (row["event_type"], row["source"], row["message"], row["level"]) == (
        "log",
        "tasks",
        "done",
        None,
    )
    assert row["tags"] == {} and row["payload"] == {}


async def test_record_event_notifies_on_error_levels_only(
    db: asyncpg.Connection, database_url: str
) -> None:
    listener = await asyncpg.connect(database_url)
    received: list[str] = []
    await listener.add_listener("starter_monitoring", lambda *args: received.append(args[3]))
    try:
        await record_event(db, event_type="log", source="tasks", level="info", message="fine")
        await record_event(
            db, event_type="log", source="tasks", level="error", message="boom", tags={"a": "b"}
        )
        for _ in range(50):
            if received:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
    finally:
        await listener.close()
    assert len(received) == 1
    assert '"kind": "event"' in received[0] or '"kind":"event"' in received[0]
    assert "boom" in received[0]
