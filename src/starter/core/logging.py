"""structlog setup: JSON lines in production, readable lines in development.

The request id (and anything else bound with `structlog.contextvars`) is in every line.
Standard-library loggers (uvicorn, asyncpg, pgserver) are rendered by the same processors, so
every line on stderr has one format.
"""

from __future__ import annotations

import logging
import sys

import structlog

_SECRET_KEYS = frozenset({"password", "token", "session_token", "secret", "authorization", "key"})
# uvicorn's own access log duplicates the app's `http.request` lines (which carry the request id).
_QUIET_LOGGERS = {"uvicorn.access": logging.WARNING}


def _redact_secrets(
    _logger: object, _method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def _renderer(json: bool) -> structlog.types.Processor:
    if json:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(
        colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
    )


def _stdlib_handler(json: bool, shared: list[structlog.types.Processor]) -> logging.Handler:
    """A root handler that renders stdlib records with structlog's processors."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _renderer(json),
            ],
        )
    )
    return handler


def configure_logging(level: str = "info", json: bool = False) -> None:
    """Configure structlog and the stdlib root logger (uvicorn, asyncpg) once per process."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_secrets,
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, _renderer(json)],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_stdlib_handler(json, shared))
    root.setLevel(numeric)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()  # uvicorn's own formatters never print
        uvicorn_logger.propagate = True
    for name, floor in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(numeric, floor))
    # The embedded server's manager narrates every pg_ctl call at INFO; keep only its warnings.
    logging.getLogger("pgserver").setLevel(max(numeric, logging.WARNING))
