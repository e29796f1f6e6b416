"""Task types: public listing, guarded registration, built-in types registered at start-up."""

from __future__ import annotations

from typing import Any

import structlog

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import Forbidden, Unauthorized, ValidationFailed
from starter.rbac.policies import ADMIN_GATE_MESSAGE
from starter.rbac.roles import Permission, Role
from starter.tasks import repository, type_cache
from starter.tasks.handlers.base import HandlerSpec
from starter.tasks.names import task_type_problem
from starter.tasks.payloads import check_registered_schema, payload_schema
from starter.tasks.registry import BUILTIN_HANDLERS
from starter.tasks.schemas import TaskTypeResponse

log = structlog.get_logger(__name__)

REGISTER_SCOPE = Permission.REGISTER_TASK_TYPES.value
KEY_SCOPE_MESSAGE = f"API key lacks the '{REGISTER_SCOPE}' scope"


def _with_payload_schema(row: Record) -> dict[str, Any]:
    return {**row, "payload_schema": payload_schema(row["task_type"], row["payload_schema"])}


def type_response(row: Record) -> TaskTypeResponse:
    return TaskTypeResponse.model_validate(_with_payload_schema(row))


async def list_types(conn: Connection) -> list[dict[str, Any]]:
    """Rows of `TaskTypeResponse`."""
    return [_with_payload_schema(row) for row in await repository.list_active_types(conn)]


def check_may_register(principal: Principal | None, *, open_registration: bool) -> None:
    """Admins, or API keys with the `tasks:register` scope, unless registration is open
    (docs/tasks.md, "Task types").

    A key acts with its scopes: `tasks:register` suffices alone; an admin's key without it needs
    `write` (like every other write through a key).
    """
    if open_registration:
        return
    if principal is None:
        raise Unauthorized()
    if principal.api_key_id is not None:
        if REGISTER_SCOPE in principal.scopes:
            return
        if principal.role is Role.ADMIN and "write" in principal.scopes:
            return
        raise Forbidden(KEY_SCOPE_MESSAGE)
    if principal.role is not Role.ADMIN:
        raise Forbidden(ADMIN_GATE_MESSAGE)


async def register_type(
    conn: Connection,
    principal: Principal | None,
    task_type: str,
    description: str,
    payload_schema: dict[str, Any] | None = None,
    *,
    open_registration: bool,
) -> TaskTypeResponse:
    """Upsert: a new type is active; an existing one gets the new description (and the new
    payload schema, when one is given). The name follows the one rule of `tasks/names.py`."""
    check_may_register(principal, open_registration=open_registration)
    if problem := task_type_problem(task_type):
        raise ValidationFailed("task_type", problem)
    if payload_schema is not None:
        check_registered_schema(task_type, payload_schema)
    row = await repository.upsert_type(conn, task_type, description, payload_schema)
    type_cache.forget(task_type)
    log.info(
        "task_type.registered",
        task_type=task_type,
        by=str(principal.id) if principal is not None else None,
    )
    return type_response(row)


async def register_builtin_types(
    conn: Connection, specs: tuple[HandlerSpec, ...] = BUILTIN_HANDLERS
) -> None:
    """Upsert the built-in handlers' types directly in the database (server and worker start)."""
    await repository.upsert_types_if_changed(
        conn, [spec.task_type for spec in specs], [spec.description for spec in specs]
    )
