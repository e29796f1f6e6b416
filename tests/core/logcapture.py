"""Capture structlog events with the context variables (request id) merged in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.testing import capture_logs


@contextmanager
def captured_logs() -> Iterator[list[dict[str, Any]]]:
    with capture_logs() as logs:
        # capture_logs swaps the processor list in place (cached loggers see it too);
        # merge the context first so each entry carries the bound request id.
        structlog.get_config()["processors"].insert(0, structlog.contextvars.merge_contextvars)
        yield logs
