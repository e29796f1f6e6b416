"""PostgreSQL access: where the server is, the asyncpg pool, and connection codecs.

With no database configured, `resolve_database_url` starts (or attaches to) an embedded
PostgreSQL via `pgserver` in `STARTER__DATABASE__EMBEDDED_DIR`; several processes share it, and
the last of them to exit stops it.
"""

from __future__ import annotations

import asyncio
import atexit
import fcntl
import json
import os
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson
import structlog

from starter.core.config import DatabaseSettings

log = structlog.get_logger(__name__)

Pool = asyncpg.Pool
Record = asyncpg.Record
if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # Pool connections are proxies; both speak the same query API.
    Connection: TypeAlias = asyncpg.Connection[Record] | PoolConnectionProxy[Record]
else:
    Connection = asyncpg.Connection

_embedded_servers: dict[Path, Any] = {}


@asynccontextmanager
async def atomic(conn: Connection) -> AsyncIterator[None]:
    """Join the caller's transaction, or open one when there is none."""
    if conn.is_in_transaction():
        yield
        return
    async with conn.transaction():
        yield


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` across processes. pgserver's own lock does not cover
    creating its system user (as root) or the first initdb, so two processes starting the same
    data directory at once (pytest-xdist workers, `dev` and a worker) could fail."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pgserver() -> Any:
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: its import scans the process table

    return pgserver


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forget_departed_users(data_dir: Path) -> None:
    """pgserver lists the processes using a server in `.handle_pids.json` and stops it when
    the last one exits. A process that died without running its exit hooks (SIGKILL, a crash)
    stays listed, and then nobody would ever stop the server: drop the pids that are gone.
    Runs under pgserver's own lock, which guards that list."""
    handles = data_dir / ".handle_pids.json"
    with _pgserver().PostgresServer._lock:
        try:
            pids = [int(pid) for pid in json.loads(handles.read_text())]
        except (OSError, ValueError, TypeError):
            return
        alive = [pid for pid in pids if _alive(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def start_embedded_postgres(data_dir: Path) -> str:
    """Start or attach to the embedded server in `data_dir`; return its admin URL. The server
    stops when the last process that attached to it exits, however it exits."""
    data_dir = data_dir.resolve()
    server = _embedded_servers.get(data_dir)
    if server is None:
        pgserver = _pgserver()
        data_dir.mkdir(parents=True, exist_ok=True)
        with _exclusive(data_dir.parent / f".{data_dir.name}.lock"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _forget_departed_users(data_dir)
            server = pgserver.get_server(data_dir, cleanup_mode="stop")
        # Exit hooks run last-registered first: this one runs before pgserver's own.
        atexit.register(_forget_departed_users, data_dir)
        _embedded_servers[data_dir] = server
    return str(server.get_uri())


def release_embedded_postgres() -> None:
    """Leave every embedded server this process attached to, now (the last user stops it):
    for an exit that skips the exit hooks, such as death by a signal."""
    for data_dir, server in list(_embedded_servers.items()):
        _forget_departed_users(data_dir)
        server.cleanup()
        del _embedded_servers[data_dir]


def running_embedded_url(data_dir: Path) -> str | None:
    """The admin URL of the embedded server in `data_dir` if it is running; never starts it."""
    data_dir = data_dir.resolve()
    if not (data_dir / "postmaster.pid").is_file():
        return None
    info = _pgserver().utils.PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return None
    return str(info.get_uri())


def describe_database(settings: DatabaseSettings) -> str:
    """Which database the settings point at, for people: never with its password."""
    if settings.url is None and settings.uses_embedded:
        return f"embedded PostgreSQL in {settings.embedded_dir.resolve()}"
    url = settings.url.get_secret_value() if settings.url is not None else settings.composed_url()
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        user = parts.username or ""
        parts = parts._replace(netloc=f"{user}@{host}" if user else host)
    return urlunsplit(parts)


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def resolve_database_url(settings: DatabaseSettings) -> str:
    """The URL the app connects to: explicit URL, split fields, or the embedded server."""
    if settings.url is not None:
        return settings.url.get_secret_value()
    if not settings.uses_embedded:
        return settings.composed_url()
    admin_url = start_embedded_postgres(settings.embedded_dir)
    # Export it so child processes (uvicorn workers, the worker) reuse the same server.
    os.environ.setdefault("STARTER__DATABASE__URL", with_database(admin_url, "starter"))
    return with_database(admin_url, "starter")


def resolve_listen_url(settings: DatabaseSettings, url: str) -> str:
    """The direct connection to the server `url` pools: for LISTEN, session advisory locks and
    one-off commands, which a transaction pooler would break. `listen_url`, else `url`."""
    return settings.listen_url.get_secret_value() if settings.listen_url is not None else url


def resolve_running_database_url(settings: DatabaseSettings) -> str | None:
    """Like `resolve_database_url`, but None instead of starting the embedded server."""
    if settings.url is not None or not settings.uses_embedded:
        return resolve_database_url(settings)
    admin_url = running_embedded_url(settings.embedded_dir)
    return with_database(admin_url, "starter") if admin_url is not None else None


async def ensure_database_exists(url: str) -> None:
    """Create the target database if it is missing, so a fresh server needs no set-up step."""
    name = database_name(url)
    try:
        conn = await asyncpg.connect(url, timeout=10)
    except asyncpg.InvalidCatalogNameError:
        admin = await asyncpg.connect(with_database(url, "postgres"), timeout=10)
        try:
            quoted = '"' + name.replace('"', '""') + '"'
            await admin.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            pass
        finally:
            await admin.close()
    else:
        await conn.close()


async def init_connection(conn: asyncpg.Connection) -> None:
    """JSON/JSONB decode to Python values (orjson), encode from Python values."""
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Pool release hook: nothing to undo beyond what asyncpg always does.

    asyncpg's default reset runs `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    on every release — one extra round trip per request. Pooled connections never carry
    session state (LISTEN connections are dedicated, locks are transaction-scoped, no SET or
    cursors; tests/core/test_pool_session_state.py fails otherwise), and an unfinished
    transaction is still rolled back by asyncpg before this hook.
    """


async def create_pool(url: str, settings: DatabaseSettings) -> Pool:
    pool = await asyncpg.create_pool(
        url,
        min_size=settings.min_connections,
        max_size=settings.max_connections,
        max_inactive_connection_lifetime=settings.idle_timeout_secs,
        timeout=settings.connect_timeout_secs,
        init=init_connection,
        reset=_keep_session,
        command_timeout=60,
        statement_cache_size=settings.statement_cache_size,
    )
    assert pool is not None
    return pool


@asynccontextmanager
async def connect_once(
    url: str, *, statement_cache_size: int = 100
) -> AsyncIterator[asyncpg.Connection]:
    """One short-lived connection with our codecs (CLI commands, migrations); through a
    transaction pooler, with `statement_cache_size=0`."""
    conn = await asyncpg.connect(url, timeout=30, statement_cache_size=statement_cache_size)
    await init_connection(conn)
    try:
        yield conn
    finally:
        await conn.close()


CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    # The server ended the session (pg_terminate_backend, shutdown, crash, dropped database).
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.DatabaseDroppedError,
    asyncpg.IdleSessionTimeoutError,
    # A FATAL message that arrives while the connection is idle leaves asyncpg's protocol in
    # a state where the next query fails with this; the connection is unusable.
    asyncpg.InternalClientError,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
)

# SQLSTATEs about the server's state rather than the request: connection exceptions (08),
# insufficient resources (53: disk full, out of memory, too many connections), operator
# intervention (57: shutdown, cannot connect now, statement cancelled), system errors (58: I/O),
# and a read-only transaction (25006: a standby, or writes switched off).
UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
UNAVAILABLE_SQLSTATES = frozenset({"25006"})


def database_unavailable(error: BaseException) -> bool:
    """The database cannot serve the request now (503), whatever the request was."""
    if isinstance(error, CONNECTION_ERRORS):
        return True
    if isinstance(error, asyncpg.PostgresError):
        state = str(error.sqlstate or "")
        return state[:2] in UNAVAILABLE_SQLSTATE_CLASSES or state in UNAVAILABLE_SQLSTATES
    return False
