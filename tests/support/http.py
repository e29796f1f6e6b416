"""The production app, started, and HTTP clients that talk to it in-process.

A built app is kept and run again by the next test with equal settings: FastAPI prepares an
included router's routes on the first request each app serves (about a quarter of a second
for ours), while a run's own state (pool, caches, listeners) comes from the lifespan, fresh
each time (`create_app`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from starter.app import create_app
from starter.core.config import Settings


@asynccontextmanager
async def running(application: FastAPI) -> AsyncIterator[FastAPI]:
    """`application` with its lifespan running (pool, background flush)."""
    async with application.router.lifespan_context(application):
        yield application


# Built apps not running now, newest last; settings compare by value (secrets included).
_IDLE_APPS: OrderedDict[int, tuple[Settings, FastAPI]] = OrderedDict()
IDLE_APPS_KEPT = 16


def _take_built_app(settings: Settings) -> FastAPI:
    for key, (built_with, application) in reversed(_IDLE_APPS.items()):
        if built_with == settings:
            del _IDLE_APPS[key]
            return application
    return create_app(settings)


def _put_back(settings: Settings, application: FastAPI) -> None:
    _IDLE_APPS[id(application)] = (settings, application)
    while len(_IDLE_APPS) > IDLE_APPS_KEPT:
        _IDLE_APPS.popitem(last=False)


@asynccontextmanager
async def started_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The production app with its lifespan running (two at once are two apps)."""
    application = _take_built_app(settings)
    try:
        async with running(application):
            yield application
    finally:
        _put_back(settings, application)


@asynccontextmanager
async def asgi_client(
    app: FastAPI, *, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to `app` in-process over ASGI."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the production app started with `settings`, for tests that need settings
    other than the `client` fixture's."""
    async with started_app(settings) as application, asgi_client(application) as http:
        yield http
