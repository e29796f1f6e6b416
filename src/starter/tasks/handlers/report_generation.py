"""`report_generation`: a CSV and/or JSON report of tasks, user registrations or events for a
date range, stored in `task_artifacts` and served by `GET /api/v1/tasks/{id}/artifact`.

Reports honour the creator's role like the API does: a plain user's tasks report covers only
their own tasks and the users report needs the `users:stats` permission (admins).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import orjson

from starter.core.db import Connection
from starter.rbac.roles import Permission, Role, has_permission
from starter.tasks.errors import PermanentError
from starter.tasks.handlers import report_queries as queries
from starter.tasks.handlers._payload import optional_str, payload_of, required_str
from starter.tasks.handlers.base import HandlerSpec, TaskContext

REPORT_TYPES = ("tasks", "users", "events")
FORMATS = {"csv": ("csv",), "json": ("json",), "both": ("json", "csv")}
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json"}
MAX_ROWS = 100_000
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Report:
    columns: list[str]
    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    scope: str = "all"
    truncated: bool = False


def parse_bound(raw: str, name: str, *, end: bool) -> datetime:
    """A date (the whole day) or an RFC 3339 timestamp, as a half-open range bound in UTC."""
    try:
        if _DATE_ONLY.match(raw):
            day = date.fromisoformat(raw) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(), tzinfo=UTC)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise PermanentError(f"'{name}' must be an ISO date or RFC 3339 timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment + timedelta(microseconds=1) if end else moment


async def _tasks(conn: Connection, ctx: TaskContext, start: datetime, end: datetime) -> Report:
    owner: UUID | None = None
    if ctx.created_by is not None:
        role = await queries.active_role(conn, ctx.created_by)
        if role is None or not has_permission(Role(role), Permission.READ_ALL_TASKS):
            owner = ctx.created_by
    counts = await queries.task_counts(conn, start, end, owner)
    rows = await queries.task_rows(conn, start, end, owner, MAX_ROWS + 1)
    columns = list(rows[0].keys()) if rows else _TASK_COLUMNS
    return Report(
        columns=columns,
        rows=[dict(row) for row in rows[:MAX_ROWS]],
        summary=[dict(row) for row in counts],
        scope="all" if owner is None else "own",
        truncated=len(rows) > MAX_ROWS,
    )


_TASK_COLUMNS = [
    "id", "task_type", "status", "priority", "current_attempt", "max_attempts",
    "created_by", "created_at", "started_at", "completed_at", "last_error",
]  # fmt: skip


async def _users(conn: Connection, ctx: TaskContext, start: datetime, end: datetime) -> Report:
    if ctx.created_by is not None:
        role = await queries.active_role(conn, ctx.created_by)
        if role is None or not has_permission(Role(role), Permission.USER_STATS):
            raise PermanentError("The users report requires the admin role")
    rows = [dict(row) for row in await queries.registrations(conn, start, end)]
    by_role: Counter[str] = Counter()
    for row in rows:
        by_role[row["role"]] += row["registrations"]
    summary = [{"role": role, "registrations": n} for role, n in sorted(by_role.items())]
    return Report(["day", "role", "registrations", "active"], rows, summary)


async def _events(conn: Connection, ctx: TaskContext, start: datetime, end: datetime) -> Report:
    if not await queries.events_available(conn):
        raise PermanentError("events are not available")
    rows = [dict(row) for row in await queries.event_counts(conn, start, end)]
    by_level: Counter[str] = Counter()
    for row in rows:
        by_level[row["level"] or ""] += row["count"]
    summary = [{"level": level or None, "count": n} for level, n in sorted(by_level.items())]
    return Report(["event_type", "level", "source", "count"], rows, summary)


_BUILDERS = {"tasks": _tasks, "users": _users, "events": _events}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # keep spreadsheets from evaluating text as a formula
    return value


def render_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(report.columns)
    for row in report.rows:
        writer.writerow([_cell(row.get(column)) for column in report.columns])
    return buffer.getvalue().encode("utf-8")


def render_json(report: Report, header: dict[str, Any]) -> bytes:
    document = {
        **header,
        "scope": report.scope,
        "truncated": report.truncated,
        "summary": report.summary,
        "rows": report.rows,
    }
    return orjson.dumps(document, default=str)


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = payload_of(ctx)
    report_type = required_str(payload, "report_type")
    if report_type not in REPORT_TYPES:
        raise PermanentError(
            f"Unknown report type: '{report_type}' (allowed: {', '.join(REPORT_TYPES)})"
        )
    start_raw = required_str(payload, "start_date")
    end_raw = required_str(payload, "end_date")
    start = parse_bound(start_raw, "start_date", end=False)
    end = parse_bound(end_raw, "end_date", end=True)
    if start >= end:
        raise PermanentError("'start_date' must not be after 'end_date'")
    output = optional_str(payload, "format", "csv")
    if output not in FORMATS:
        raise PermanentError(f"Unknown format: '{output}' (allowed: csv, json, both)")
    header = {
        "report_type": report_type,
        "start_date": start_raw,
        "end_date": end_raw,
        "generated_at": datetime.now(UTC).isoformat(),
    }
    artifacts = []
    async with ctx.pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        report = await _BUILDERS[report_type](conn, ctx, start, end)
        for kind in FORMATS[output]:
            content = render_csv(report) if kind == "csv" else render_json(report, header)
            name = f"report.{kind}"
            await queries.store_artifact(conn, ctx.task_id, name, CONTENT_TYPES[kind], content)
            artifacts.append(
                {"name": name, "content_type": CONTENT_TYPES[kind], "bytes": len(content)}
            )
    return {
        "report_type": report_type,
        "start_date": start_raw,
        "end_date": end_raw,
        "rows": len(report.rows),
        "truncated": report.truncated,
        "artifacts": artifacts,
        "download_url": f"/api/v1/tasks/{ctx.task_id}/artifact",
    }


SPEC = HandlerSpec(
    task_type="report_generation",
    description="Report generation tasks",
    handle=handle,
)
