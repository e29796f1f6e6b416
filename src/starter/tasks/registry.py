"""The built-in task handlers. Adding one = a module in `handlers/` plus one line here."""

from __future__ import annotations

from starter.tasks.handlers import (
    data_processing,
    delay_task,
    email,
    file_cleanup,
    report_generation,
    webhook,
)
from starter.tasks.handlers.base import HandlerSpec

BUILTIN_HANDLERS: tuple[HandlerSpec, ...] = (
    email.SPEC,
    data_processing.SPEC,
    file_cleanup.SPEC,
    report_generation.SPEC,
    webhook.SPEC,
    delay_task.SPEC,
)


def handlers_by_type(
    specs: tuple[HandlerSpec, ...] = BUILTIN_HANDLERS,
) -> dict[str, HandlerSpec]:
    return {spec.task_type: spec for spec in specs}
