"""List totals benchmark: what a total costs a 20-row page of GET /tasks over 100,000 tasks.

    .venv/bin/python bench/list_totals.py [--tasks 100000] [--reads 100] [--explain]

Protocol: a scratch database `starter_bench_totals` is (re)created and migrated; `--tasks`
tasks (one user, six types, every status and priority, a 200-byte JSON payload, an error text
on the failed ones, creation times spread over 30 days) are inserted with one INSERT … SELECT
generate_series, then VACUUM ANALYZE. For each filter the page's SQL runs `--reads` times in
sequence on one connection (after a warm-up) in four ways:

- `page only`: the page without a total (the list before totals);
- `window`: `count(*) OVER ()` as a column of the page;
- `subquery`: the total as a scalar subquery of the page's own statement (`core/query.py`);
- `two statements`: the page, then `SELECT count(*)` with the same filters, both inside one
  REPEATABLE READ READ ONLY transaction (so they agree: four round trips).

It prints the median and p95 client latency of each. Database: STARTER__DATABASE__URL's
server or the embedded one.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from typing import Any  # noqa: E402

import asyncpg  # noqa: E402

from benchlib import recreate_database  # noqa: E402
from starter.core.migrate import migrate_up  # noqa: E402
from starter.tasks.repository import TASK_COLUMNS  # noqa: E402

BENCH_DB = "starter_bench_totals"
TYPES = ["delay_task", "send_email", "generate_report", "cleanup", "sync", "import"]
FILL_SQL = """
INSERT INTO task_types (task_type) SELECT unnest($2::text[]) ON CONFLICT DO NOTHING;
"""
TASKS_SQL = """
INSERT INTO tasks (task_type, status, priority, payload, last_error, created_by, created_at)
SELECT ($2::text[])[1 + n % 6],
       (ARRAY['pending','running','completed','failed','cancelled','retrying'])[1 + (n / 7) % 6],
       (ARRAY['low','normal','high','critical'])[1 + (n / 3) % 4],
       jsonb_build_object('n', n, 'to', format('user%s@example.com', n % 977),
                          'body', repeat(md5(n::text), 5)),
       CASE WHEN (n / 7) % 6 = 3 THEN format('TimeoutError: step %s took too long', n % 50) END,
       $3::uuid,
       NOW() - make_interval(secs => n * 26)
FROM generate_series(1, $1::int) AS n
"""
ORDER = "ORDER BY priority_rank, created_at, id"
FILTERS: dict[str, tuple[str, list[Any]]] = {
    "no filter": ("", []),
    "status=failed": ("WHERE status = $1", ["failed"]),
    "task_type": ("WHERE task_type = $1", ["send_email"]),
    "q (ILIKE)": ("WHERE (payload::text ILIKE $1 OR last_error ILIKE $1)", ["%user42@%"]),
}


def variants(where: str, n: int) -> dict[str, str]:
    page = f"LIMIT 20 OFFSET ${n + 1}"
    return {
        "page only": f"SELECT {TASK_COLUMNS} FROM tasks {where} {ORDER} {page}",
        "window": f"SELECT {TASK_COLUMNS}, count(*) OVER () AS t FROM tasks {where} {ORDER} {page}",
        "subquery": f"SELECT {TASK_COLUMNS}, (SELECT count(*) FROM tasks {where}) AS t "
        f"FROM tasks {where} {ORDER} {page}",
    }


async def timed(run: Callable[[], Awaitable[object]], reads: int) -> tuple[float, float]:
    for _ in range(5):
        await run()
    samples = []
    for _ in range(reads):
        started = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def measure(conn: asyncpg.Connection, reads: int, explain: bool) -> None:
    print(f"{'filter':<16}{'variant':<16}{'p50 ms':>8}{'p95 ms':>8}")
    for label, (where, args) in FILTERS.items():
        n = len(args)
        for name, sql in variants(where, n).items():
            result = await timed(lambda sql=sql, args=args: conn.fetch(sql, *args, 0), reads)
            print(f"{label:<16}{name:<16}{result[0]:>8.2f}{result[1]:>8.2f}")
            if explain:
                plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args, 0)
                print("\n".join(f"    {row[0]}" for row in plan))
        page_sql = variants(where, n)["page only"]
        count_sql = f"SELECT count(*) FROM tasks {where}"

        async def two(
            page_sql: str = page_sql, count_sql: str = count_sql, args: list[Any] = args
        ) -> None:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                await conn.fetch(page_sql, *args, 0)
                await conn.fetchval(count_sql, *args)

        result = await timed(two, reads)
        print(f"{label:<16}{'two statements':<16}{result[0]:>8.2f}{result[1]:>8.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=100)
    parser.add_argument("--explain", action="store_true")
    options = parser.parse_args()
    url = await recreate_database(BENCH_DB, synchronous_commit=False)
    conn = await asyncpg.connect(url)
    try:
        await migrate_up(conn)
        user = await conn.fetchval(
            "INSERT INTO users (username, email, password_hash) "
            "VALUES ('bench', 'bench@example.com', 'x') RETURNING id"
        )
        await conn.execute(FILL_SQL.replace("$2", "'{" + ",".join(TYPES) + "}'"))
        await conn.execute(TASKS_SQL, options.tasks, TYPES, user)
        await conn.execute("VACUUM ANALYZE tasks")
        print(f"{options.tasks} tasks, 20-row pages, {options.reads} reads each")
        await measure(conn, options.reads, options.explain)
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
