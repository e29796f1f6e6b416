"""`create_app(settings)`: the one way to build the HTTP application (production and tests)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import structlog
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from starter import __version__
from starter.api import authentication_before_method, include_api
from starter.auth.api_key_usage import ApiKeyUsageRecorder
from starter.auth.principal_cache import PrincipalCache
from starter.core import db
from starter.core.channels import AUTH as AUTH_CHANNEL
from starter.core.config import Settings
from starter.core.error_handlers import install_error_handlers
from starter.core.listener import NotificationListener
from starter.core.middleware import RequestContextMiddleware
from starter.core.request_connections import RequestConnections
from starter.core.routing import static_paths
from starter.docs import install_docs
from starter.monitoring.metrics.platform import run_server_sampler
from starter.monitoring.stream.service import StreamHub
from starter.observability.http_metrics import HttpMetricsMiddleware
from starter.spa import PACKAGED_DIST, dist_dir, install_spa
from starter.tasks.mail import enqueue_mail
from starter.tasks.service import register_builtin_types

API_KEY_USAGE_FLUSH_SECS = 10.0
log = structlog.get_logger(__name__)


def _operation_id(route: APIRoute) -> str:
    """Stable operation ids: the handler's name (the v1 API's operation ids)."""
    return route.name


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    url = db.resolve_database_url(settings.database)
    # LISTEN needs a session of its own, which a transaction pooler in front of `url` does not keep.
    listen_url = db.resolve_listen_url(settings.database, url)
    await db.ensure_database_exists(listen_url)
    app.state.pool = await db.create_pool(url, settings.database)
    app.state.request_connections = RequestConnections(
        app.state.pool, settings.database.max_connections
    )
    try:
        async with app.state.pool.acquire() as conn:
            await register_builtin_types(conn)
    except asyncpg.UndefinedTableError:
        # Not migrated yet: keep serving so /health/startup can say so (503 "starting").
        log.warning("startup.schema_missing", hint="run `starter migrate up`")
    except asyncpg.ReadOnlySQLTransactionError:
        # A standby (or writes switched off): reads are served, writes answer 503.
        log.warning("startup.read_only", hint="built-in task types are registered when writable")
    # FastAPI prepares the routes of an included router when first asked for them (~0.25 s for
    # ours): here, rather than in the first requests a new process serves.
    static_paths(app)
    app.state.started_monotonic = time.monotonic()
    # What one run learns (pending key usage, cached principals) starts empty with each run.
    usage = app.state.api_key_usage = ApiKeyUsageRecorder()
    flusher = asyncio.create_task(usage.run(app.state.pool, API_KEY_USAGE_FLUSH_SECS))
    principals = app.state.principal_cache = PrincipalCache(
        settings.auth.principal_cache_secs, settings.auth.principal_cache_entries
    )
    invalidations = asyncio.create_task(
        NotificationListener(
            listen_url,
            {AUTH_CHANNEL: principals.on_notification},
            name="principal-cache",
            connect_timeout=settings.database.connect_timeout_secs,
            on_listening=principals.set_listening,
        ).run(),
        name="principal-cache",
    )
    with contextlib.suppress(TimeoutError):  # until then, every request looks its credential up
        await asyncio.wait_for(
            principals.listening.wait(), timeout=settings.database.connect_timeout_secs
        )
    # The live stream's single LISTEN connection opens with the first subscriber.
    app.state.stream_hub = StreamHub(
        listen_url,
        queue_size=settings.monitoring.stream_queue_size,
        connect_timeout=settings.database.connect_timeout_secs,
        replay_size=settings.monitoring.stream_replay_size,
        replay_secs=settings.monitoring.stream_replay_secs,
    )
    background = [invalidations, flusher]
    if settings.monitoring.platform_metrics_secs > 0:
        background.append(
            asyncio.create_task(
                run_server_sampler(app.state.pool, settings.monitoring.platform_metrics_secs),
                name="platform-metrics",
            )
        )
    try:
        yield
    finally:
        await app.state.stream_hub.close()
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await usage.flush(app.state.pool)  # the flusher may never have started
        await app.state.pool.close()


def _middleware(settings: Settings) -> list[Middleware]:
    origins = settings.server.cors_origins
    stack = [
        Middleware(
            RequestContextMiddleware,
            max_body_bytes=settings.server.max_body_bytes,
            access_log=settings.server.access_log,
        ),
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials="*" not in origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["x-request-id", "x-response-time", "retry-after", "x-total-count"],
            max_age=600,
        ),
    ]
    if settings.monitoring.http_metrics:
        # Outermost, so it sees the final status of every response (errors included).
        stack.insert(0, Middleware(HttpMetricsMiddleware))
    if settings.server.trusted_proxies:
        # Before everything else reads the client address (login limits, logs). uvicorn's own
        # copy of this middleware is off (cli/serve.py): it trusts 127.0.0.1 by default.
        stack.insert(
            0, Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.server.trusted_proxies)
        )
    return stack


def freeze_startup_objects(app: FastAPI) -> None:
    """For a server process, once its app is built: what exists by then (modules, models, the
    prepared routes) lives as long as the process, so the garbage collector's full passes
    leave it out instead of walking all of it again every few thousand requests (figures in
    bench/README.md)."""
    static_paths(app)  # the routes FastAPI would prepare on first use
    gc.collect()
    gc.freeze()


def create_app(settings: Settings) -> FastAPI:
    """Build the app. No side effects until the lifespan starts (pool, background flush);
    the state of a run (pool, caches) is made by the lifespan, so a built app can be run
    again."""
    # No `default_response_class`: with FastAPI's own default, response models are serialized
    # straight to compact JSON bytes by pydantic-core. Errors and hand-built bodies use
    # `CompactJSONResponse` explicitly.
    app = FastAPI(
        title="starter API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
        middleware=_middleware(settings),
    )
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.mail_queue = enqueue_mail
    app.state.started_monotonic = time.monotonic()
    install_error_handlers(app, wrong_method=authentication_before_method)
    include_api(app)
    install_docs(app, dist_dir(settings.server) or PACKAGED_DIST)
    install_spa(app, settings.server)  # last: its catch-all must not shadow the API
    return app
