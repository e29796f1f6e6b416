"""What a finished handler run means for its task: completed, retrying (when), failed, cancelled."""

from __future__ import annotations

import traceback as tb
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from starter.core.db import Record
from starter.tasks.retry import strategy_or_default

TIMED_OUT = "Task execution timed out"
CANCELLED = "Task cancelled while running"
# A traceback kept with an attempt: its end (the innermost frames and the error) if longer.
TRACEBACK_MAX_CHARS = 16_384


@dataclass(slots=True)
class Outcome:
    task_id: UUID
    task_type: str
    attempt: int  # the run this outcome belongs to; a later attempt is not overwritten
    status: str  # completed | retrying | failed | cancelled
    duration: float
    result: str | None = None  # JSON text
    error: str | None = None
    delay: float | None = None  # seconds until the retry
    retryable_failure: bool = False  # counts against the circuit breaker
    traceback: str | None = None  # the handler's, for a failed run


def completed(row: Record, value: Any, duration: float) -> Outcome:
    """A handler's return value becomes `result`; anything not JSON is a permanent failure."""
    try:
        text = orjson.dumps({} if value is None else value).decode()
    except TypeError as error:
        return failed(row, f"Task result is not JSON serializable: {error}", duration, False)
    return Outcome(row["id"], row["task_type"], _attempt(row), "completed", duration, result=text)


def failed(
    row: Record, message: str, duration: float, retryable: bool, traceback: str | None = None
) -> Outcome:
    """Retry per the task's strategy while attempts remain; otherwise dead-letter (`failed`)."""
    outcome = Outcome(
        row["id"],
        row["task_type"],
        _attempt(row),
        "failed",
        duration,
        error=message,
        retryable_failure=retryable,
        traceback=traceback,
    )
    if not retryable:
        return outcome
    attempt = int(row["current_attempt"])  # already counts this run
    if attempt >= int(row["max_attempts"]):
        return outcome
    delay = strategy_or_default(row["retry_strategy"]).delay_for(attempt)
    if delay is not None:
        outcome.status = "retrying"
        outcome.delay = delay
    return outcome


def cancelled(row: Record, duration: float) -> Outcome:
    return Outcome(
        row["id"], row["task_type"], _attempt(row), "cancelled", duration, error=CANCELLED
    )


def _attempt(row: Record) -> int:
    return int(row["current_attempt"])


def error_text(error: BaseException) -> str:
    detail = str(error) or type(error).__name__
    return f"Task execution error: {detail}"


def traceback_text(error: BaseException) -> str:
    """The formatted traceback of `error`, cut to its last `TRACEBACK_MAX_CHARS` characters."""
    text = "".join(tb.format_exception(error))
    if len(text) <= TRACEBACK_MAX_CHARS:
        return text
    marker = "[traceback truncated]\n"
    return marker + text[-(TRACEBACK_MAX_CHARS - len(marker)) :]
