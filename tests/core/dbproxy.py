"""A TCP proxy in front of the test PostgreSQL that a test can cut, to simulate losing the
database (open connections drop, new ones are refused) without touching the real server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit, urlunsplit


class DatabaseProxy:
    def __init__(self, target_url: str) -> None:
        self.target_url = target_url
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        parts = urlsplit(self.target_url)
        socket_dir = parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
        port = parts.port or 5432
        if socket_dir.startswith("/"):
            return await asyncio.open_unix_connection(f"{socket_dir}/.s.PGSQL.{port}")
        return await asyncio.open_connection(socket_dir or "localhost", port)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await self._open_upstream()
        except OSError:
            client_w.close()
            return
        self._writers.update({client_w, up_w})
        await asyncio.gather(self._pipe(client_r, up_w), self._pipe(up_r, client_w))

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Stop accepting and drop every open connection (the database 'goes away')."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    @property
    def url(self) -> str:
        """The target database's URL, reached through this proxy."""
        parts = urlsplit(self.target_url)
        user = parts.username or "postgres"
        password = f":{parts.password}" if parts.password else ""
        return urlunsplit(
            ("postgresql", f"{user}{password}@127.0.0.1:{self.port}", parts.path, "", "")
        )


@contextlib.asynccontextmanager
async def database_proxy(target_url: str) -> AsyncIterator[DatabaseProxy]:
    proxy = DatabaseProxy(target_url)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.cut()
