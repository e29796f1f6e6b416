"""How a handler says a task failed: retry it later, or never."""

from __future__ import annotations


class TaskError(Exception):
    """Base for handler failures. `str()` becomes the task's `last_error`."""

    retryable: bool = True


class RetryableError(TaskError):
    """Transient: the worker retries per the task's retry strategy (5xx, timeouts, SMTP down)."""

    retryable = True


class PermanentError(TaskError):
    """Will never succeed (bad payload, 4xx, path outside the root): dead-letter at once."""

    retryable = False
