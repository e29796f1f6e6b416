"""Slow and vanishing clients against the real `starter server` process (uvicorn), over raw
sockets: headers or a body dribbled a byte at a time are cut off with 408 after
`STARTER__SERVER__READ_TIMEOUT_SECS`; a client that disconnects mid-request is not a 500."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import pytest_asyncio

from tests.cli.conftest import STARTER, cli_env, free_port
from tests.support.database import temporary_database
from tests.support.paths import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

READ_TIMEOUT_SECS = 2.0
DRIBBLE_FOR_SECS = 30.0  # how long a slow client would keep going if nobody cut it off
STARTUP_TIMEOUT_SECS = 90


@dataclass
class Server:
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


async def _exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(
    pg_server: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    """One server for the module (starting one takes seconds); its log is checked per test."""
    port = free_port()
    log = tmp_path_factory.mktemp("slow-clients") / "server.log"
    async with temporary_database(*pg_server) as database_url:
        env = cli_env(
            database_url,
            STARTER__LOG_LEVEL="info",
            STARTER__SERVER__READ_TIMEOUT_SECS=str(READ_TIMEOUT_SECS),
        )
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                STARTER, "server", "--port", str(port), "--host", "127.0.0.1",
                env=env, cwd=str(ROOT), stdout=sink, stderr=sink,
            )  # fmt: skip
        running = Server(port, log)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
            while True:
                assert process.returncode is None, running.output()
                assert time.monotonic() < deadline, f"server did not start:\n{running.output()}"
                try:
                    answer = await _exchange(port, b"GET /api/v1/health/live HTTP/1.0\r\n\r\n")
                    if answer.startswith(b"HTTP/1.1 200"):
                        break
                except OSError:
                    pass
                await asyncio.sleep(0.2)
            yield running
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)


async def _dribble(port: int, head: bytes, drip: bytes) -> tuple[bytes, float]:
    """Send `head`, then `drip` one byte every 0.2 s until the server answers and closes
    (or DRIBBLE_FOR_SECS pass). Returns what came back and when, from the first byte."""
    started = time.monotonic()  # before connecting: the server's deadline starts on connect
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)

    async def drip_slowly() -> None:
        for index in range(int(DRIBBLE_FOR_SECS / 0.2)):
            await asyncio.sleep(0.2)
            writer.write(drip[index % len(drip) : index % len(drip) + 1])
            await writer.drain()

    dripping = asyncio.create_task(drip_slowly())
    try:
        answer = await asyncio.wait_for(reader.read(), DRIBBLE_FOR_SECS + 10)
        return answer, time.monotonic() - started
    finally:
        dripping.cancel()
        await asyncio.gather(dripping, return_exceptions=True)
        writer.close()


def _split(answer: bytes) -> tuple[bytes, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, orjson.loads(body)


async def test_headers_sent_slowly_are_cut_off_with_408(server: Server) -> None:
    head = b"GET /api/v1/health/live HTTP/1.1\r\nHost: localhost\r\n"
    answer, elapsed = await _dribble(server.port, head, b"X-Slow: yes\r\n")
    status, body = _split(answer)
    assert status.startswith(b"HTTP/1.1 408"), answer
    assert b"connection: close" in status
    assert body == {
        "error": {
            "code": "REQUEST_TIMEOUT",
            "message": f"The request did not arrive within {READ_TIMEOUT_SECS:g} s",
        }
    }
    assert READ_TIMEOUT_SECS <= elapsed < DRIBBLE_FOR_SECS  # cut off, not served at the end
    assert "http.read_timeout" in server.output()


async def test_body_sent_slowly_is_cut_off_with_408_and_no_500(server: Server) -> None:
    head = (
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    answer, elapsed = await _dribble(server.port, head, b'{"username":"x"')
    status, body = _split(answer)
    assert status.startswith(b"HTTP/1.1 408"), answer
    assert body["error"] == {  # type: ignore[comparison-overlap]
        "code": "REQUEST_TIMEOUT",
        "message": f"The request did not arrive within {READ_TIMEOUT_SECS:g} s",
    }
    assert READ_TIMEOUT_SECS <= elapsed < DRIBBLE_FOR_SECS
    await _settled(server)
    output = server.output()
    assert "http.unhandled_error" not in output, output
    assert "Exception in ASGI application" not in output, output


async def _settled(server: Server) -> None:
    """Let the server finish with the cut-off request: one more request answered in order."""
    answer = await _exchange(server.port, b"GET /api/v1/health/live HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200"), answer
    await asyncio.sleep(0.5)


async def test_client_disconnecting_mid_body_is_not_logged_as_a_500(server: Server) -> None:
    _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST /api/v1/auth/register HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        b'{"username": "gone'
    )
    await writer.drain()
    await asyncio.sleep(0.3)  # the request is being read by the app when the client leaves
    writer.close()
    await writer.wait_closed()
    await _settled(server)
    output = server.output()
    assert "http.client_disconnected" in output, output
    assert "http.unhandled_error" not in output, output
    assert "Exception in ASGI application" not in output, output
    assert "status=500" not in output, output


async def test_a_request_arriving_in_time_is_served_and_the_connection_reused(
    server: Server,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        for _ in range(2):  # the deadline is per request: idling between them is fine
            writer.write(b"GET /api/v1/health/live HTTP/1.1\r\n")
            await asyncio.sleep(READ_TIMEOUT_SECS / 4)
            writer.write(b"Host: localhost\r\n\r\n")
            status = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            assert status.startswith(b"HTTP/1.1 200"), status
            length = next(
                int(line.split(b":")[1])
                for line in status.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            await asyncio.sleep(READ_TIMEOUT_SECS * 0.75)
    finally:
        writer.close()


async def test_a_connection_that_sends_nothing_is_closed_without_an_answer(
    server: Server,
) -> None:
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        assert await asyncio.wait_for(reader.read(), 30) == b""
    finally:
        writer.close()
    assert time.monotonic() - started >= READ_TIMEOUT_SECS
