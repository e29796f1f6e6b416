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
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from starter.core.db import Connection
from starter.rbac.roles import Permission, Role, has_permission
from starter.tasks.errors import PermanentError
from starter.tasks.handlers import report_queries as queries
from starter.tasks.handlers._payload import TaskPayload, invalid, parse_payload
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
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC) + timedelta(microseconds=1 if end else 0)
    except ValueError:
        raise PermanentError(f"'{name}' must be an ISO date or RFC 3339 timestamp") from None
    except OverflowError:  # e.g. the day after 9999-12-31
        raise PermanentError(f"'{name}' is out of range") from None


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


def _one_of(name: str, allowed: tuple[str, ...]) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value not in allowed:
            raise invalid(f"Unknown {name}: '{value}' (allowed: {', '.join(allowed)})")
        return value

    return check


def _bound(name: str, *, end: bool) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            try:
                parse_bound(value, name, end=end)
            except PermanentError as error:
                raise invalid(str(error)) from None
        return value

    return check


ReportType = Literal["tasks", "users", "events"]
Format = Literal["csv", "json", "both"]


class ReportPayload(TaskPayload):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "report_type": "tasks",
                    "start_date": "2025-01-01",
                    "end_date": "2025-01-07",
                    "format": "csv",
                }
            ]
        }
    )

    report_type: Annotated[ReportType, BeforeValidator(_one_of("report type", REPORT_TYPES))]
    start_date: Annotated[str, BeforeValidator(_bound("start_date", end=False))] = Field(
        max_length=64, description="An ISO date (the whole day) or an RFC 3339 time."
    )
    end_date: Annotated[str, BeforeValidator(_bound("end_date", end=True))] = Field(
        max_length=64, description="An ISO date (the whole day) or an RFC 3339 time."
    )
    format: Annotated[Format, BeforeValidator(_one_of("format", tuple(FORMATS)))] = "csv"

    @property
    def start(self) -> datetime:
        return parse_bound(self.start_date, "start_date", end=False)

    @property
    def end(self) -> datetime:
        return parse_bound(self.end_date, "end_date", end=True)

    @model_validator(mode="after")
    def _ordered(self) -> ReportPayload:
        if self.start >= self.end:
            raise invalid("'start_date' must not be after 'end_date'")
        return self


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = parse_payload(ReportPayload, ctx.payload)
    report_type, start_raw, end_raw = payload.report_type, payload.start_date, payload.end_date
    start, end = payload.start, payload.end
    output = payload.format
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
    payload_model=ReportPayload,
)
