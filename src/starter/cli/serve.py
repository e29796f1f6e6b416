"""Run uvicorn with our app factory (one or several processes)."""

from __future__ import annotations

import os

import uvicorn

from starter.core.config import Settings


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
        access_log=False,
        proxy_headers=True,
        server_header=False,
        lifespan="on",
    )


def app_from_environment() -> object:
    """Factory for uvicorn worker processes: settings from the (inherited) environment."""
    from starter.app import create_app
    from starter.core.config import load_settings

    return create_app(load_settings())
