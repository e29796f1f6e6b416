"""Run uvicorn with our app factory (one or several processes)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import socket
import threading
from collections.abc import Generator
from types import FrameType

import uvicorn

from starter.cli.runtime import CliError
from starter.core import db
from starter.core.config import Settings
from starter.core.read_timeout import read_timeout_protocol

GRACEFUL_SHUTDOWN_SECS = 10


class PortInUse(CliError):
    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} is in use; set STARTER__SERVER__PORT (or pass --port)")


def check_port_free(host: str, port: int) -> None:
    """Bind and release the address the way uvicorn will, so a busy port is one clear line
    before anything starts (uvicorn only says `[Errno 98]` and exits 3)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(port) from None
            raise


def leave_database_on_sigterm() -> None:
    """On SIGTERM, leave the embedded PostgreSQL (stopping it when this process was its last
    user), then die of the signal as before, so supervisors still see it. uvicorn re-raises
    SIGTERM once it has shut down, and a signal's default action skips the exit hooks."""

    def leave(signum: int, _frame: FrameType | None) -> None:
        db.release_embedded_postgres()
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)

    signal.signal(signal.SIGTERM, leave)


def serve(
    settings: Settings,
    *,
    host: str | None,
    port: int | None,
    workers: int,
    dev: bool = False,
) -> None:
    bind_host = host or settings.server.host
    bind_port = port or settings.server.port
    if dev:
        os.environ.setdefault("STARTER__ENVIRONMENT", "development")
    uvicorn.run(
        "starter.cli.serve:app_from_environment",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn's loggers go through ours (core/logging.py)
        access_log=False,
        proxy_headers=False,  # the app applies server.trusted_proxies itself (app.py)
        server_header=False,
        lifespan="on",
        # Open live streams never finish on their own; cancel them after this grace period.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECS,
        http=read_timeout_protocol(settings.server.read_timeout_secs),
    )


def app_from_environment() -> object:
    """Factory for uvicorn worker processes: settings from the (inherited) environment."""
    from starter.app import create_app, freeze_startup_objects
    from starter.cli.runtime import configure_logging_for
    from starter.core.config import load_settings

    settings = load_settings()
    configure_logging_for(settings)  # a worker process of `server --workers N` starts afresh
    app = create_app(settings)
    freeze_startup_objects(app)
    return app


class _DevServer(uvicorn.Server):
    """uvicorn sharing its loop with an in-process worker: a signal stops both, no re-raise."""

    def __init__(self, config: uvicorn.Config, stop: asyncio.Event) -> None:
        super().__init__(config)
        self._stop = stop
        self._loop: asyncio.AbstractEventLoop | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        self._loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        originals = {sig: signal.signal(sig, self._on_signal) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.handle_exit(sig, frame)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)


def serve_with_worker(
    settings: Settings, *, host: str | None, port: int | None, database_url: str
) -> None:
    """`starter dev`: the HTTP server and a background worker in one process and one loop."""
    from starter.worker.lifecycle import run_worker

    os.environ.setdefault("STARTER__ENVIRONMENT", "development")
    config = uvicorn.Config(
        "starter.cli.serve:app_from_environment",
        factory=True,
        host=host or settings.server.host,
        port=port or settings.server.port,
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn's loggers go through ours (core/logging.py)
        access_log=False,
        proxy_headers=False,  # the app applies server.trusted_proxies itself (app.py)
        server_header=False,
        lifespan="on",
        # Open live streams never finish on their own; cancel them after this grace period.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECS,
        http=read_timeout_protocol(settings.server.read_timeout_secs),
    )

    async def main() -> None:
        stop = asyncio.Event()
        server = _DevServer(config, stop)
        worker = asyncio.create_task(
            run_worker(settings, database_url, install_signals=False, stop=stop)
        )
        try:
            await server.serve()
        finally:
            stop.set()
            await worker

    asyncio.run(main())
