"""PostgreSQL NOTIFY channels shared by the API, the worker and the live stream."""

from __future__ import annotations

# Payload: the task type. Sent (on commit) when a task becomes claimable: insert, retry, reset.
TASKS_READY = "starter_tasks_ready"
# Payload: JSON {"id","task_type","status","created_by"}. Sent on every task status change.
TASK_STATUS = "starter_task_status"
# Payload: the task id. Sent (on commit) when cancellation of a running task is requested;
# the worker holding it cancels the handler cooperatively.
TASK_CANCEL = "starter_task_cancel"
