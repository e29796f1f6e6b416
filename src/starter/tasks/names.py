"""The one rule for task-type names (and metadata keys), used wherever a name arrives: when a
type is registered (`POST /tasks/types`) and when a task is created (`POST /tasks`)."""

from __future__ import annotations

NAME_MAX_BYTES = 128
# Documentation of the rule below (Unicode letters and digits, `_`, `-`) in the OpenAPI document.
NAME_PATTERN = r"^[\p{L}\p{N}_-]+$"


def is_name(value: str) -> bool:
    """Unicode letters and digits (not only ASCII), underscores and hyphens."""
    return all(char.isalnum() or char in "_-" for char in value)


def task_type_problem(task_type: str) -> str | None:
    """Why `task_type` is not a valid task-type name, or None."""
    if not task_type:
        return "Task type cannot be empty"
    if len(task_type.encode()) > NAME_MAX_BYTES:
        return f"Task type cannot exceed {NAME_MAX_BYTES} characters"
    if not is_name(task_type):
        return "Task type can only contain alphanumeric characters, underscores, and hyphens"
    return None
