"""`limit`/`offset` query parameters with per-endpoint defaults and caps.

`page_params(default, cap)` builds a dependency declaring both as FastAPI `Query` parameters:
negative values are 400 (`must not be negative`), and a limit over the cap is 400 (`must be at
most …`) or, for endpoints that clamp, lowered to the cap. `offset` is capped at PostgreSQL's
bigint range, so a larger one is a 400 too.
"""

# No `from __future__ import annotations`: FastAPI reads `page`'s annotations, which refer
# to this call's `limit_query`.
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

OFFSET_MAX = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int


Offset = Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Items to skip (default 0).")]


def page_params(
    default_limit: int, max_limit: int, *, clamp: bool = False
) -> Callable[..., Awaitable[Page]]:
    """A dependency reading `limit` (default `default_limit`, at most `max_limit`) and `offset`."""
    cap = f"at most {max_limit}" + ("; larger values are clamped" if clamp else "")
    limit_query = Query(
        ge=0,
        le=OFFSET_MAX if clamp else max_limit,  # PostgreSQL's LIMIT is a bigint
        description=f"Page size (default {default_limit}, {cap}).",
    )

    async def page(limit: Annotated[int, limit_query] = default_limit, offset: Offset = 0) -> Page:
        return Page(min(limit, max_limit), offset)

    return page
