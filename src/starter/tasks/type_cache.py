"""The registered task types a process has seen, so that enqueueing costs no type lookup.

An entry carries the version of its `task_types` row (the row's `xmin`: every committed change
to the row, from any process, gives it a new one). The insert that enqueues names that
version and inserts nothing when the row is no longer that version, or no longer active; the
caller then reloads the entry and checks again (`tasks/queue.py`). So a stale entry costs one
more round trip, never a task created against an old rule or a deactivated type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from starter.core.db import Connection
from starter.tasks import repository


@dataclass(frozen=True, slots=True)
class RegisteredType:
    task_type: str
    payload_schema: Any
    version: int
    # Built once per entry: building a validator costs more than most checks it runs.
    validator: Draft202012Validator | None = field(default=None, compare=False)


_entries: dict[str, RegisteredType] = {}


async def registered_type(
    conn: Connection, task_type: str, *, reload: bool = False
) -> RegisteredType | None:
    """The active type `task_type`, from this process's cache unless `reload`; None when it
    is not registered or not active."""
    if not reload and (entry := _entries.get(task_type)) is not None:
        return entry
    row = await repository.active_type_version(conn, task_type)
    if row is None:
        _entries.pop(task_type, None)
        return None
    schema = row["payload_schema"]
    validator = Draft202012Validator(schema) if isinstance(schema, dict) else None
    entry = RegisteredType(task_type, schema, int(row["version"]), validator)
    _entries[task_type] = entry
    return entry


def forget(task_type: str | None = None) -> None:
    """Drop one entry (or all): this process changed the row and need not wait for a miss."""
    if task_type is None:
        _entries.clear()
    else:
        _entries.pop(task_type, None)
