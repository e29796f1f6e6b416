"""`STARTER__MONITORING__INGEST_SYNCHRONOUS_COMMIT`: durable by default; when false, the event
ingest statements commit without waiting for the WAL flush, and nothing else changes
(docs/monitoring.md, "Ingest durability")."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from starter.core.config import Settings
from starter.monitoring.events import repository as repo
from starter.monitoring.events.service import NOTIFY_LEVELS
from tests.support.users import AppUser

EVENTS = "/api/v1/monitoring/events"


def columns(n: int) -> repo.EventColumns:
    rows = repo.EventColumns()
    for k in range(n):
        rows.event_type.append("log")
        rows.source.append("app-durability")
        rows.message.append(f"m{k}")
        rows.level.append("info")
        rows.tags.append("{}")
        rows.payload.append("{}")
        rows.recorded_at.append(None)
    return rows


async def insert_one(db: asyncpg.Connection, *, synchronous_commit: bool) -> None:
    await repo.insert_event(
        db,
        event_type="log",
        source="app-durability",
        message="m",
        level="info",
        tags="{}",
        payload="{}",
        synchronous_commit=synchronous_commit,
    )


async def commit_setting(db: asyncpg.Connection) -> str:
    return str(await db.fetchval("SHOW synchronous_commit"))


@pytest.fixture
async def durable(db: asyncpg.Connection) -> asyncpg.Connection:
    """The test connection with the server's durable default (the test database's is off)."""
    await db.execute("SET synchronous_commit = on")
    return db


@pytest.mark.parametrize("how", ["single", "batch"])
async def test_the_relaxed_insert_turns_synchronous_commit_off_for_its_transaction_only(
    durable: asyncpg.Connection, how: str
) -> None:
    db = durable
    assert await commit_setting(db) == "on"
    async with db.transaction():
        if how == "single":
            await insert_one(db, synchronous_commit=False)
        else:
            await repo.insert_events(
                db, columns(3), sorted(NOTIFY_LEVELS), synchronous_commit=False
            )
        assert await commit_setting(db) == "off"
    # Like SET LOCAL: the next transaction is durable again.
    assert await commit_setting(db) == "on"
    assert await db.fetchval("SELECT count(*) FROM events") == (1 if how == "single" else 3)


async def test_the_default_insert_leaves_synchronous_commit_alone(
    durable: asyncpg.Connection,
) -> None:
    db = durable
    async with db.transaction():
        await insert_one(db, synchronous_commit=True)
        await repo.insert_events(db, columns(2), sorted(NOTIFY_LEVELS))
        assert await commit_setting(db) == "on"


def test_ingest_is_durable_unless_configured_otherwise() -> None:
    assert Settings().monitoring.ingest_synchronous_commit is True


class TestWithTheSettingOff:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        monitoring = settings.monitoring.model_copy(update={"ingest_synchronous_commit": False})
        return settings.model_copy(update={"monitoring": monitoring})

    async def test_events_are_stored_and_answered_as_usual(
        self, client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
    ) -> None:
        body = {"event_type": "log", "source": "app-x", "level": "error", "message": "boom"}
        one = await client.post(EVENTS, json=body, headers=user.headers)
        assert one.status_code == 200, one.text
        assert one.json()["data"]["message"] == "boom"
        many = await client.post(
            f"{EVENTS}/batch", json={"events": [body, {**body, "event_type": "bad"}]},
            headers=user.headers,
        )  # fmt: skip
        data = many.json()["data"]
        assert data["accepted"] == 1 and data["rejected"][0]["index"] == 1
        assert await db.fetchval("SELECT count(*) FROM events WHERE source = 'app-x'") == 2
