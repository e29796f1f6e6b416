"""The production app, started, and HTTP clients that talk to it in-process."""

from __future__ import annotations

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


@asynccontextmanager
async def started_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The production app with its lifespan running."""
    async with running(create_app(settings)) as application:
        yield application


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
