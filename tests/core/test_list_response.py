"""Every list endpoint answers, byte for byte, what pydantic renders for the same records
(core/listing.py): generated rows go into the real tables, the endpoint is read over HTTP, and
its body is compared with the response model's own rendering of what the service returned."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_origin

import asyncpg
import httpx
import orjson
import pytest
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    TypeAdapter,
)

from starter.api import PROTECTED_ROUTERS, PUBLIC_ROUTERS
from starter.api_keys import service as api_keys_service
from starter.api_keys.schemas import ApiKeyResponse
from starter.auth import sessions as auth_sessions
from starter.auth.schemas import Principal, SessionInfo, UserProfile
from starter.core.envelope import ApiResponse
from starter.core.query import Counted
from starter.monitoring.alerts import service as alerts
from starter.monitoring.alerts.schemas import Alert
from starter.monitoring.events import service as events_service
from starter.monitoring.events.schemas import Event
from starter.monitoring.incidents import service as incidents
from starter.monitoring.incidents.schemas import Incident
from starter.monitoring.metrics import service as metrics_service
from starter.monitoring.metrics.schemas import Metric
from starter.rbac.roles import Role
from starter.tasks import console_service as task_console
from starter.tasks import service as tasks_service
from starter.tasks import types as task_types
from starter.tasks.console_schemas import AttemptResponse
from starter.tasks.schemas import TaskResponse, TaskTypeResponse, WorkerResponse
from starter.users import service as users_service
from starter.users.schemas import UserStatusFilter
from tests.support.users import AppUser

texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=24)
names = st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=3, max_size=20)
moments = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2200, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
) | st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=UTC)  # no fraction: `.000000`
)
floats = st.floats(allow_subnormal=True) | st.sampled_from([0.0, -0.0, 1e16, 1e-7, 5e-324])
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(texts, json_values, max_size=4)
# A NOT NULL jsonb column holds JSON null as `'null'`, which asyncpg sends for no Python value.
stored_json = json_values.filter(lambda value: value is not None)
maybe = st.none().__or__


async def rows_of_page(counted: Awaitable[Counted[Any]]) -> Sequence[Any]:
    return (await counted).rows


@dataclass(frozen=True)
class Endpoint:
    path: str
    model: type[BaseModel]
    insert: Callable[[asyncpg.Connection, AppUser, Any], Awaitable[None]]
    rows: st.SearchStrategy[Any]
    records: Callable[[asyncpg.Connection, Principal], Awaitable[Sequence[asyncpg.Record]]]


async def insert_users(db: asyncpg.Connection, _owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO users (username, email, password_hash, role, email_verified, created_at,
                              last_login_at) VALUES ($1, $2, 'x', $3, $4, $5, $6)""",
        [
            (f"{uuid.uuid4().hex[:8]}_{n}", f"{uuid.uuid4().hex}@{e}.io", *rest)
            for n, e, *rest in rows
        ],
    )


async def insert_sessions(db: asyncpg.Connection, owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO sessions (user_id, token_hash, created_at, last_activity_at, expires_at,
                                 user_agent, ip_address)
           VALUES ($1, gen_random_uuid()::text, $2, $3, NOW() + make_interval(days => $4), $5, $6)""",
        [(uuid.UUID(owner.id), *row) for row in rows],
    )


async def sessions_seen_by(db: asyncpg.Connection, p: Principal) -> Sequence[asyncpg.Record]:
    """The caller's sessions as the API lists them: the one the request came with is current
    (its token digest is hex; the generated rows' stand-ins are UUIDs)."""
    current = await db.fetchval(
        "SELECT id FROM sessions WHERE user_id = $1 AND token_hash ~ '^[0-9a-f]{64}$'", p.id
    )
    return await auth_sessions.live_sessions(db, p.id, current)


async def insert_tasks(db: asyncpg.Connection, owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        "INSERT INTO task_types (task_type) VALUES ($1) ON CONFLICT DO NOTHING",
        [(row[0],) for row in rows],
    )
    await db.executemany(
        """INSERT INTO tasks (task_type, payload, status, priority, max_attempts, current_attempt,
               last_error, created_at, updated_at, scheduled_at, started_at, completed_at,
               created_by, metadata, result, retry_strategy)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)""",
        [(*row[:12], uuid.UUID(owner.id), *row[12:]) for row in rows],
    )


async def insert_task_types(db: asyncpg.Connection, _owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO task_types (task_type, description, created_at, updated_at)
           VALUES ($1 || gen_random_uuid(), $2, $3, $4)""",
        rows,
    )


async def insert_workers(db: asyncpg.Connection, _owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO workers (id, hostname, pid, concurrency, in_flight, task_types, started_at)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)""",
        rows,
    )


async def insert_events(db: asyncpg.Connection, _owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO events (event_type, source, message, level, tags, payload, recorded_at,
                               created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        rows,
    )


async def insert_metrics(db: asyncpg.Connection, _owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO metrics (name, metric_type, value, labels, recorded_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        rows,
    )


async def insert_incidents(db: asyncpg.Connection, owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO incidents (title, description, severity, status, started_at, resolved_at,
               root_cause, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        [(*row[:7], uuid.UUID(owner.id), *row[7:]) for row in rows],
    )


async def insert_alerts(db: asyncpg.Connection, owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO alerts (name, description, query, threshold_value, status, triggered_at,
               resolved_at, firing, last_value, last_evaluated_at, open_incident,
               incident_severity, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        [(*row[:12], uuid.UUID(owner.id), *row[12:]) for row in rows],
    )


async def insert_api_keys(db: asyncpg.Connection, owner: AppUser, rows: list[Any]) -> None:
    await db.executemany(
        """INSERT INTO api_keys (name, description, key_hash, key_prefix, created_by, expires_at,
               is_active, permissions, created_at, last_used_at, usage_count)
           VALUES ($1, $2, gen_random_uuid()::text, $3, $4, $5, $6, $7, $8, $9, $10)""",
        [(*row[:3], uuid.UUID(owner.id), *row[3:]) for row in rows],
    )


async def insert_attempts(db: asyncpg.Connection, owner: AppUser, rows: list[Any]) -> None:
    """Attempts of one task whose id is the owner's (the path's `{id}`)."""
    task_id = uuid.UUID(owner.id)
    await db.execute(
        """INSERT INTO tasks (id, task_type, created_by) VALUES ($1, 'delay_task', $1)
           ON CONFLICT DO NOTHING""",
        task_id,
    )
    await db.executemany(
        """INSERT INTO task_attempts (task_id, attempt, worker_id, started_at, finished_at,
                                      outcome, error, traceback)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [(task_id, *row) for row in rows],
    )


def rows_of(*columns: st.SearchStrategy[Any]) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    return st.lists(st.tuples(*columns), min_size=1, max_size=4)


def task_rows(
    status: st.SearchStrategy[str], priority: st.SearchStrategy[str]
) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """Rows for `insert_tasks`, in its column order."""
    return rows_of(names, stored_json, status, priority, counts, counts, maybe(texts), moments,
                   moments, moments, maybe(moments), maybe(moments), json_objects, json_values,
                   stored_json)  # fmt: skip


statuses = st.sampled_from(["pending", "running", "completed", "failed", "cancelled", "retrying"])
levels = st.sampled_from(["low", "medium", "high", "critical"])
counts = st.integers(min_value=0, max_value=2**31 - 1)
session_rows = rows_of(moments, moments, st.integers(1, 3650), maybe(texts), maybe(texts))

ENDPOINTS = [
    Endpoint(
        "/auth/sessions",
        SessionInfo,
        insert_sessions,
        session_rows,
        sessions_seen_by,
    ),
    Endpoint(
        "/users/{id}/sessions",
        SessionInfo,
        insert_sessions,
        session_rows,
        sessions_seen_by,
    ),
    Endpoint(
        "/users?limit=100&status=all",
        UserProfile,
        insert_users,
        rows_of(
            names,
            names,
            st.sampled_from(["user", "moderator", "admin"]),
            st.booleans(),
            moments,
            maybe(moments),
        ),
        lambda db, _p: rows_of_page(
            users_service.list_users(db, users_service.UserListQuery(UserStatusFilter.ALL), 100, 0)
        ),
    ),
    Endpoint(
        "/tasks?limit=1000",
        TaskResponse,
        insert_tasks,
        task_rows(statuses, st.sampled_from(["low", "normal", "high", "critical"])),
        lambda db, p: rows_of_page(
            tasks_service.list_tasks(db, p, tasks_service.TaskQuery(), limit=1000, offset=0)
        ),
    ),
    Endpoint(
        "/tasks/dead-letter?limit=1000",
        TaskResponse,
        insert_tasks,
        task_rows(st.just("failed"), st.just("normal")),
        lambda db, p: rows_of_page(tasks_service.dead_letter(db, p, limit=1000, offset=0)),
    ),
    Endpoint(
        "/tasks/workers",
        WorkerResponse,
        insert_workers,
        rows_of(texts, counts, counts, counts, st.lists(texts, max_size=3), moments),
        lambda db, _p: tasks_service.live_workers(db, 30),
    ),
    Endpoint(
        "/tasks/{id}/attempts",
        AttemptResponse,
        insert_attempts,
        rows_of(
            st.integers(min_value=-(2**31), max_value=2**31 - 1),
            maybe(st.uuids()),
            maybe(moments),
            moments,
            st.sampled_from(["completed", "failed", "retrying", "cancelled"]),
            maybe(texts),
            maybe(texts),
        ),
        lambda db, p: task_console.attempts(db, p, p.id),
    ),
    Endpoint(
        "/tasks/types",
        TaskTypeResponse,
        insert_task_types,
        rows_of(names, maybe(texts), moments, moments),
        lambda db, _p: task_types.list_types(db),
    ),
    Endpoint(
        "/monitoring/events?limit=1000",
        Event,
        insert_events,
        rows_of(
            st.sampled_from(["log", "metric", "trace", "alert"]),
            texts,
            maybe(texts),
            maybe(texts),
            stored_json,
            stored_json,
            moments,
            moments,
        ),
        lambda db, _p: events_service.list_events(db, events_service.EventFilter(), 1000, 0),
    ),
    Endpoint(
        "/monitoring/metrics?limit=1000",
        Metric,
        insert_metrics,
        rows_of(
            texts,
            st.sampled_from(["counter", "gauge", "histogram", "summary"]),
            floats,
            stored_json,
            moments,
            moments,
        ),
        lambda db, _p: metrics_service.list_metrics(
            db, name=None, metric_type=None, start_time=None, end_time=None, limit=1000, offset=0
        ),
    ),
    Endpoint(
        "/monitoring/incidents?limit=1000",
        Incident,
        insert_incidents,
        rows_of(
            texts,
            maybe(texts),
            levels,
            st.sampled_from(["open", "investigating", "resolved", "closed"]),
            moments,
            maybe(moments),
            maybe(texts),
            moments,
            moments,
        ),
        lambda db, _p: rows_of_page(incidents.list_incidents(db, 1000, 0)),
    ),
    Endpoint(
        "/monitoring/alerts",
        Alert,
        insert_alerts,
        rows_of(
            texts,
            maybe(texts),
            texts,
            maybe(floats),
            st.sampled_from(["active", "resolved", "silenced"]),
            maybe(moments),
            maybe(moments),
            st.booleans(),
            maybe(floats),
            maybe(moments),
            st.booleans(),
            levels,
            moments,
        ),
        lambda db, _p: alerts.list_alerts(db),
    ),
    Endpoint(
        "/api-keys",
        ApiKeyResponse,
        insert_api_keys,
        rows_of(
            texts,
            maybe(texts),
            names,
            maybe(moments),
            st.booleans(),
            st.lists(texts, max_size=3),
            moments,
            maybe(moments),
            st.integers(min_value=0, max_value=2**63 - 1),
        ),
        api_keys_service.list_api_keys,
    ),
]


def pydantic_rendering(model: type[BaseModel], rows: Sequence[asyncpg.Record]) -> bytes:
    """What FastAPI answered for `ApiResponse[list[model]]` before list_response existed."""
    envelope = ApiResponse[list[model]]  # type: ignore[valid-type]
    adapter: TypeAdapter[Any] = TypeAdapter(envelope)
    return adapter.dump_json(envelope(data=[model.model_validate(dict(row)) for row in rows]))


def as_principal(user: AppUser) -> Principal:
    return Principal(uuid.UUID(user.id), user.username, user.email, Role(user.role))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.path.split("?")[0] for e in ENDPOINTS])
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_list_endpoint_bytes_equal_pydantic(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    admin: AppUser,
    endpoint: Endpoint,
    data: st.DataObject,
) -> None:
    rows = data.draw(endpoint.rows)
    await endpoint.insert(db, admin, rows)
    path = endpoint.path.replace("{id}", admin.id)
    response = await client.get(f"/api/v1{path}", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    expected = pydantic_rendering(endpoint.model, await endpoint.records(db, as_principal(admin)))
    assert len(orjson.loads(response.content)["data"]) >= len(rows)
    assert response.content == expected


def _is_list_envelope(model: Any) -> bool:
    generic = getattr(model, "__pydantic_generic_metadata__", None) or {}
    (data,) = generic.get("args") or (None,)
    return generic.get("origin") is ApiResponse and get_origin(data) is list


def test_every_list_endpoint_is_checked() -> None:
    lists = {
        route.path
        for router in (*PUBLIC_ROUTERS, *PROTECTED_ROUTERS)
        for route in router.routes
        if isinstance(route, APIRoute)
        and "GET" in route.methods
        and _is_list_envelope(route.response_model)
    }
    from tests.notes.test_list_rendering import PATHS as NOTES_PATHS

    assert lists == {endpoint.path.split("?")[0] for endpoint in ENDPOINTS} | NOTES_PATHS
