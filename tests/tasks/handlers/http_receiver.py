"""A real HTTP server (uvicorn + Starlette on a free loopback port) that records requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def build_app(receiver: Receiver) -> Starlette:
    async def record(request: Request) -> None:
        receiver.seen.append(
            Seen(request.method, request.url.path, dict(request.headers), await request.body())
        )

    async def echo(request: Request) -> Response:
        await record(request)
        return JSONResponse({"ok": True, "method": request.method})

    async def status(request: Request) -> Response:
        await record(request)
        return Response(f"status {request.path_params['code']}", int(request.path_params["code"]))

    async def slow(request: Request) -> Response:
        await record(request)
        await asyncio.sleep(5)
        return Response("late")

    async def big(request: Request) -> Response:
        return Response(b"x" * 5000)

    async def endless(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            while True:
                yield b"y" * 4096
                await asyncio.sleep(0)

        return StreamingResponse(chunks())

    async def redirect(request: Request) -> Response:
        await record(request)
        code = int(request.query_params.get("code", "302"))
        return RedirectResponse(request.query_params["to"], status_code=code)

    async def loop(request: Request) -> Response:
        return RedirectResponse("/loop", status_code=302)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route("/echo", echo, methods=methods),
            Route("/status/{code}", status, methods=methods),
            Route("/slow", slow, methods=methods),
            Route("/big", big, methods=methods),
            Route("/endless", endless, methods=methods),
            Route("/redirect", redirect, methods=methods),
            Route("/loop", loop, methods=methods),
        ]
    )


@asynccontextmanager
async def serving() -> AsyncIterator[Receiver]:
    result = Receiver(port=0)
    config = uvicorn.Config(
        build_app(result), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        result.port = server.servers[0].sockets[0].getsockname()[1]
        yield result
    finally:
        server.should_exit = True
        await task
