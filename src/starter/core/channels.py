"""PostgreSQL NOTIFY channels: every name a sender or a listener uses is defined here once.

Who sends and who listens is written beside each name; the payloads are plain text or JSON.
"""

from __future__ import annotations

# Payload: the task type. Sent (on commit) when a task becomes claimable: insert, retry, reset.
# Listened to by the worker.
TASKS_READY = "starter_tasks_ready"
# Payload: JSON {"id","task_type","status","created_by"} (`task_status_payload_sql`). Sent on
# every task status change. Listened to by the live stream.
TASK_STATUS = "starter_task_status"
# Payload: the task id. Sent (on commit) when cancellation of a running task is requested;
# the worker holding it cancels the handler cooperatively.
TASK_CANCEL = "starter_task_cancel"
# Payload: JSON {"kind": "event"|"incident"|"alert", …}. Sent by the monitoring services;
# listened to by the live stream.
MONITORING = "starter_monitoring"
# Payload: a user id. Sent by migration 011's triggers when a session or API key ends, expires
# or is re-scoped, or a user changes; listened to by every server's principal cache.
AUTH = "starter_auth"


def task_status_payload_sql(alias: str) -> str:
    """SQL for the `TASK_STATUS` payload of each row of `alias` (a table or CTE with the
    columns id, task_type, status and created_by), to pass to `pg_notify`."""
    return (
        f"jsonb_build_object('id', {alias}.id, 'task_type', {alias}.task_type, "
        f"'status', {alias}.status, 'created_by', {alias}.created_by)::text"
    )
