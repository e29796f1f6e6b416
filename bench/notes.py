"""Notes benchmark: full-text search and GET /notes over 100,000 notes of 1,000 users.

    .venv/bin/python bench/notes.py [--users 1000] [--notes 100000] [--reads 200] [--explain]
                                    [--keep]

Protocol: a scratch database `starter_bench_notes` is (re)created and migrated. `--users`
accounts are inserted with one INSERT … SELECT generate_series (all with the same Argon2id
hash), then `--notes` notes over them with one INSERT … SELECT generate_series: owners,
titles (3 words) and contents (60 words) drawn by hash from a vocabulary of 64 words, plus a
token `topicN` (one of 500) in each content, 1–3 tags out of 30, a tenth of them public.
Every tenth note is also shared with another user (picked by hash). Then VACUUM ANALYZE. A
real server process (`starter server`) is started on it and user 1 signs in over HTTP. Each query runs `--reads`
times in sequence after a warm-up; latencies are the client's, `server CPU` is the server
process's CPU time per request. `--explain` prints the plans of the exact SQL the endpoints
run (EXPLAIN ANALYZE, for user 1). Database: STARTER__DATABASE__URL's server or the embedded
one. Target: search p99 < 50 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py is named like the stdlib `http` package: this folder goes last on the path
# (so `import http` is the stdlib) but stays importable for `benchlib`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from typing import Any  # noqa: E402
from uuid import UUID  # noqa: E402

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from benchlib import cpu_seconds, free_port, recreate_database, server_settings  # noqa: E402
from monitoring import PASSWORD, percentile, start_server, wait_ready  # noqa: E402
from starter.auth.passwords import hash_password_sync  # noqa: E402
from starter.core import db  # noqa: E402
from starter.core.config import load_settings  # noqa: E402
from starter.core.migrate import migrate_up  # noqa: E402
from starter.notes import repository  # noqa: E402
from starter.notes.repository import ListQuery  # noqa: E402

BENCH_DB = "starter_bench_notes"
USERS_SQL = """
INSERT INTO users (username, email, password_hash, email_verified)
SELECT format('bench_%s', lpad(n::text, 4, '0')), format('bench_%s@example.com', n), $2, TRUE
FROM generate_series(1, $1::int) AS n
"""
WORDS = [
    "apple",
    "river",
    "garden",
    "window",
    "budget",
    "meeting",
    "travel",
    "summer",
    "winter",
    "planning",
    "kitchen",
    "recipe",
    "coffee",
    "morning",
    "evening",
    "project",
    "release",
    "server",
    "database",
    "backup",
    "invoice",
    "client",
    "report",
    "review",
    "design",
    "sketch",
    "paint",
    "music",
    "guitar",
    "piano",
    "concert",
    "ticket",
    "flight",
    "hotel",
    "museum",
    "beach",
    "mountain",
    "forest",
    "camping",
    "hiking",
    "running",
    "cycling",
    "swimming",
    "doctor",
    "dentist",
    "pharmacy",
    "school",
    "homework",
    "teacher",
    "library",
    "book",
    "novel",
    "poetry",
    "history",
    "science",
    "physics",
    "chemistry",
    "biology",
    "flower",
    "tomato",
    "potato",
    "onion",
    "garlic",
    "pepper",
]
# `pick(x, k)`: a well-spread index in 1..k derived from the integer x (hashint4).
PICK = "(1 + (hashint4(({x})::int)::bigint + 2147483648) % {k})"
NOTES_SQL = f"""
WITH owners AS (SELECT array_agg(id ORDER BY username) AS ids FROM users),
     vocab AS (SELECT $2::text[] AS w)
INSERT INTO notes (user_id, title, content, is_public, tags, created_at, updated_at)
SELECT owners.ids[{PICK.format(x="n", k="cardinality(owners.ids)")}],
       initcap((SELECT string_agg(w[{PICK.format(x="n * 3 + i", k="cardinality(w)")}], ' ')
                FROM generate_series(0, 2) i)),
       (SELECT string_agg(w[{PICK.format(x="n * 61 + i", k="cardinality(w)")}], ' ')
        FROM generate_series(1, 60) i) || ' topic' || (n % 500),
       n % 10 = 0,
       (SELECT jsonb_agg('tag' || ((n + k * 7) % 30)) FROM generate_series(0, n % 3) k),
       ts, ts
FROM generate_series(1, $1::int) AS n, owners, vocab,
     LATERAL (SELECT now() - n * interval '1 minute') AS t(ts)
"""
SHARES_SQL = f"""
WITH owners AS (SELECT array_agg(id ORDER BY username) AS ids FROM users),
     numbered AS (SELECT id, user_id, row_number() OVER (ORDER BY created_at DESC) AS n FROM notes)
INSERT INTO note_shares (note_id, user_id, permission, shared_by)
SELECT id, to_user, CASE WHEN n % 20 = 0 THEN 'write' ELSE 'read' END, user_id
FROM (SELECT numbered.*, owners.ids[{PICK.format(x="n + 7", k="cardinality(owners.ids)")}] AS to_user
      FROM numbered, owners WHERE n % 10 = 0) AS picked
WHERE to_user <> user_id
"""
SEARCHES = {
    "common word (in most notes)": {"q": "garden"},
    "two words": {"q": "coffee meeting"},
    "rare token (1 in 500)": {"q": "topic17"},
    "phrase": {"q": '"river garden"'},
    "title only": {"q": "museum", "in": "title"},
    "with shared notes": {"q": "garden", "include_shared": "true"},
    "no match": {"q": "zeppelin"},
}
LISTS = {
    "GET /notes": {},
    "GET /notes include_shared": {"include_shared": "true"},
    "GET /notes tag filter": {"tag": "tag3,tag4"},
    "GET /notes by title": {"order_by": "title", "order": "asc"},
}


async def seed(users: int, notes: int) -> str:
    url = await recreate_database(BENCH_DB, load_settings(), synchronous_commit=False)
    async with db.connect_once(url) as conn:
        await migrate_up(conn)
        started = time.perf_counter()
        await conn.execute(USERS_SQL, users, hash_password_sync(PASSWORD))
        await conn.execute(NOTES_SQL, notes, WORDS)
        await conn.execute(SHARES_SQL)
        await conn.execute("VACUUM ANALYZE users, notes, note_shares")
        took = time.perf_counter() - started
        shares = await conn.fetchval("SELECT count(*) FROM note_shares")
    print(f"seeded {users:,} users, {notes:,} notes, {shares:,} shares in {took:.1f} s")
    return url


class Capture:
    """Stands in for a connection to take the SQL a repository function would run."""

    def __init__(self) -> None:
        self.sql = ""
        self.args: tuple[Any, ...] = ()

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.sql, self.args = sql, args
        return []


async def explain(url: str) -> None:
    async with db.connect_once(url) as conn:
        user_id: UUID = await conn.fetchval("SELECT id FROM users WHERE username = 'bench_0001'")
        page = ListQuery(None, None, "updated_at", True, 50, 0)
        tagged = ListQuery(["tag3", "tag4"], None, "updated_at", True, 50, 0)
        plans: dict[str, Callable[[Any], Awaitable[Any]]] = {
            "search 'garden' (own notes)": lambda c: repository.search_notes(
                c,
                user_id,
                "garden",
                frozenset({"title", "content"}),
                include_shared=False,
                limit=50,
                offset=0,
            ),
            "search 'topic17' with shared": lambda c: repository.search_notes(
                c,
                user_id,
                "topic17",
                frozenset({"title", "content"}),
                include_shared=True,
                limit=50,
                offset=0,
            ),
            "GET /notes": lambda c: repository.list_notes(
                c, user_id, page, include_shared=False, shared_only=False
            ),
            "GET /notes tag=tag3,tag4 include_shared": lambda c: repository.list_notes(
                c, user_id, tagged, include_shared=True, shared_only=False
            ),
        }
        for title, call in plans.items():
            capture = Capture()
            await call(capture)
            rows = await conn.fetch(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + capture.sql, *capture.args
            )
            print(f"\n-- {title}")
            print("\n".join(row[0] for row in rows))


async def measure(
    client: httpx.AsyncClient,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    count: int,
    pid: int,
) -> tuple[float, float, int, float | None]:
    """(p50 s, p99 s, rows of the last answer, server CPU s per request)."""
    for _ in range(10):  # warm-up: prepared statements, caches
        await client.get(path, params=params, headers=headers)
    latencies = []
    cpu_before = cpu_seconds(pid)
    for _ in range(count):
        started = time.perf_counter()
        response = await client.get(path, params=params, headers=headers)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    cpu_after = cpu_seconds(pid)
    cpu = None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) / count
    rows = len(response.json()["data"])
    return percentile(latencies, 0.5), percentile(latencies, 0.99), rows, cpu


def line(title: str, figures: tuple[float, float, int, float | None]) -> str:
    p50, p99, rows, cpu = figures
    cpu_text = "" if cpu is None else f"  server CPU {cpu * 1e3:5.2f} ms/req"
    return (
        f"  {title:<30} rows {rows:>3}  p50 {p50 * 1e3:6.1f} ms  p99 {p99 * 1e3:6.1f} ms{cpu_text}"
    )


async def run(url: str, reads: int) -> bool:
    port = free_port()
    server = start_server(url, port)
    worst_search = 0.0
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_ready(base)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            login = await client.post(
                "/api/v1/auth/login", json={"username": "bench_0001", "password": PASSWORD}
            )
            login.raise_for_status()
            headers = {"Authorization": f"Bearer {login.json()['data']['session_token']}"}
            print(f"search (limit 50, {reads} sequential requests each):")
            for title, params in SEARCHES.items():
                figures = await measure(
                    client, "/api/v1/notes/search", params, headers, reads, server.pid
                )
                worst_search = max(worst_search, figures[1])
                print(line(title, figures))
            print(f"lists (limit 50, {reads} sequential requests each):")
            for title, params in LISTS.items():
                figures = await measure(client, "/api/v1/notes", params, headers, reads, server.pid)
                print(line(title, figures))
    finally:
        server.terminate()
        server.wait(timeout=30)
    verdict = "met" if worst_search < 0.050 else "MISSED"
    print(f"target search p99 < 50 ms: {verdict} (worst {worst_search * 1e3:.1f} ms)")
    return worst_search < 0.050


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    url = await seed(args.users, args.notes)
    print(await server_settings(url), flush=True)
    try:
        if args.explain:
            await explain(url)
        met = await run(url, args.reads)
    finally:
        if not args.keep:
            admin = await asyncpg.connect(db.with_database(url, "postgres"))
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            finally:
                await admin.close()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    asyncio.run(main())
