"""Filtered list queries: AND-ed conditions over positional parameters, escaped LIKE patterns,
and a page fetched together with the total number of matching rows.

Why the total comes from a scalar subquery of the page's own statement: one round trip and
one snapshot (the count always describes the rows it comes with), and the page keeps its
index scan with a top-N stop, which `count(*) OVER ()` loses: the window makes PostgreSQL read
and keep every matching row, wide columns included, before the first one is returned
(figures in docs/api-conventions.md, "Totals").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from starter.core.db import Connection, Record

TOTAL_COLUMN = "total_count"
R = TypeVar("R")
# The start of an id as written: at least 4 hex digits, hyphens where a UUID has them
# (`3f2a`, `3f2a9c1b-07`). Published as the parameter's pattern, so clients see the rule.
_H = "[0-9a-fA-F]"
ID_PREFIX_PATTERN = (
    f"^(?:{_H}{{4,8}}|{_H}{{8}}-(?:{_H}{{0,4}}|{_H}{{4}}-(?:{_H}{{0,4}}"
    f"|{_H}{{4}}-(?:{_H}{{0,4}}|{_H}{{4}}-{_H}{{0,12}}))))$"
)
_ID_PREFIX = re.compile(ID_PREFIX_PATTERN)


def _id_prefix(value: str) -> str:
    """The start of an id as written, as lowercase hex digits."""
    if not _ID_PREFIX.fullmatch(value):
        raise PydanticCustomError(
            "id_prefix",
            "must be the start of an id: at least 4 hexadecimal digits, hyphens where an id "
            "has them",
        )
    return value.lower().replace("-", "")


# A query parameter naming ids by their first hex digits.
IdPrefix = Annotated[
    str,
    AfterValidator(_id_prefix),
    WithJsonSchema({"type": "string", "pattern": ID_PREFIX_PATTERN}),
]


def id_prefix_range(digits: str) -> tuple[UUID, UUID]:
    """The first and last UUID starting with these hex digits: `id BETWEEN` them uses the
    primary key's index, which `id::text LIKE` cannot."""
    return UUID(digits.ljust(32, "0")), UUID(digits.ljust(32, "f"))


class Where:
    """AND-ed conditions over positional parameters; only the filters given appear in the SQL
    (a `$n IS NULL OR …` form would let a cached generic plan ignore the indexes)."""

    def __init__(self, *source_args: Any) -> None:
        """`source_args`: the parameters the FROM clause itself uses, `$1` onwards."""
        self.conditions: list[str] = []
        self.args: list[Any] = list(source_args)

    def add(self, template: str, *values: Any) -> None:
        """`template`'s `{}` (each one in turn) become the next parameters; nothing when the
        first value is None. A value used twice is written `{0}` twice."""
        if not values or values[0] is None:
            return
        start = len(self.args)
        self.args.extend(values)
        self.conditions.append(template.format(*(f"${start + i + 1}" for i in range(len(values)))))

    def always(self, condition: str) -> None:
        """A condition without parameters."""
        self.conditions.append(condition)

    def sql(self) -> str:
        return f"WHERE {' AND '.join(self.conditions)}" if self.conditions else ""

    def page(self, limit: int, offset: int) -> str:
        self.args += [limit, offset]
        return f"LIMIT ${len(self.args) - 1} OFFSET ${len(self.args)}"


def like_pattern(text: str, *, prefix: bool = False) -> str:
    """A LIKE/ILIKE pattern matching `text` literally (its `%`, `_` and `\\` escaped, with
    PostgreSQL's default escape character): anywhere in the value, or at its start."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix else f"%{escaped}%"


def _reversed(term: str) -> str:
    if term.endswith(" DESC"):
        return term.removesuffix(" DESC")
    if term.endswith(" NULLS FIRST"):
        return term.replace(" NULLS FIRST", " DESC NULLS LAST")
    return f"{term} DESC"


def sort_order(sorts: Mapping[str, tuple[str, ...]], sort: str) -> str:
    """`ORDER BY …` for a `sort` parameter: a key of `sorts` (its terms as written, ending in a
    unique column so pages never overlap) or `-key`, the exact reverse of every term."""
    key = sort.removeprefix("-")
    terms = sorts[key] if key == sort else tuple(map(_reversed, sorts[key]))
    return f"ORDER BY {', '.join(terms)}"


@dataclass(frozen=True, slots=True)
class Counted(Generic[R]):
    """One page of rows and how many rows match the filters in all."""

    rows: list[R]
    total: int


async def fetch_counted(
    conn: Connection,
    *,
    columns: str,
    source: str,
    where: Where,
    order: str,
    limit: int,
    offset: int,
) -> Counted[Record]:
    """`SELECT columns FROM source WHERE … ORDER BY … LIMIT … OFFSET …` and the total.

    `source` is the FROM clause (a table, or joins); `order` the whole `ORDER BY …`."""
    filters = where.sql()
    count = f"SELECT count(*) FROM {source} {filters}"
    count_args = list(where.args)
    page = where.page(limit, offset)
    rows = await conn.fetch(
        f"""SELECT {columns}, ({count}) AS {TOTAL_COLUMN}
            FROM {source} {filters} {order} {page}""",
        *where.args,
    )
    return await with_total(conn, rows, count, count_args, limit=limit, offset=offset)


async def with_total(
    conn: Connection,
    rows: list[Record],
    count: str,
    count_args: list[Any],
    *,
    limit: int,
    offset: int,
) -> Counted[Record]:
    """The page with the total its rows carry in `total_count`. An empty page has no row to
    carry it: a first page then means none match, and any other (past the end, or `limit=0`)
    runs `count` on its own."""
    if rows:
        return Counted(rows, rows[0][TOTAL_COLUMN])
    if limit > 0 and offset == 0:
        return Counted(rows, 0)
    total: int = await conn.fetchval(count, *count_args)
    return Counted(rows, total)
