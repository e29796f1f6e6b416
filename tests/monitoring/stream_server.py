"""A real uvicorn server for the live-stream tests (httpx's ASGI transport buffers whole
responses, so an endless SSE body needs a socket), and a small SSE reader."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import uvicorn
from fastapi import FastAPI

from starter.app import create_app
from starter.core.config import MonitoringSettings
from starter.monitoring.stream.service import StreamHub
from tests.support.settings import make_settings


@dataclass
class SseEvent:
    event: str | None = None
    data: str = ""
    id: str | None = None
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return orjson.loads(self.data)


class SseReader:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self, within: float = 5.0) -> SseEvent:
        """The next event (or comment block); TimeoutError if none comes in time."""
        return await asyncio.wait_for(self._read_block(), within)

    async def next_event(self, within: float = 5.0) -> SseEvent:
        """The next block with an `event:` field, skipping comments (pings)."""
        while True:
            block = await self.next(within)
            if block.event is not None:
                return block

    async def _read_block(self) -> SseEvent:
        block = SseEvent()
        seen = False
        async for line in self._lines:
            if line == "":
                if seen:
                    return block
                continue
            seen = True
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                block.comments.append(value)
            elif name == "event":
                block.event = value
            elif name == "data":
                block.data = value
            elif name == "id":
                block.id = value
        raise EOFError("stream ended")


@dataclass
class LiveServer:
    app: FastAPI
    base_url: str

    @property
    def hub(self) -> StreamHub:
        hub: StreamHub = self.app.state.stream_hub
        return hub

    @contextlib.asynccontextmanager
    async def stream(
        self, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> AsyncIterator[SseReader]:
        timeout = httpx.Timeout(10.0, read=30.0)
        async with (
            httpx.AsyncClient(base_url=self.base_url, timeout=timeout, **kwargs) as http,
            http.stream("GET", "/api/v1/stream", headers=headers) as response,
        ):
            yield SseReader(response)

    async def wait_subscribers(self, count: int) -> None:
        for _ in range(250):
            if self.hub.subscriber_count == count:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"{self.hub.subscriber_count} subscribers, expected {count}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def live_server(database_url: str, **monitoring: Any) -> AsyncIterator[LiveServer]:
    settings = make_settings(database_url, monitoring=MonitoringSettings(**monitoring))
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)
