"""`limit`/`offset` query parameters with per-endpoint defaults and caps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starter.core.errors import ValidationFailed


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def page_params(
    default_limit: int, max_limit: int | None = None, *, clamp: bool = False
) -> Callable[[int | None, int | None], Awaitable[Page]]:
    """Build a dependency reading `limit`/`offset`; negatives are 400, over-cap is 400 or clamped."""

    # async: FastAPI would run a sync dependency in a worker thread on every request.
    async def dependency(limit: int | None = None, offset: int | None = None) -> Page:
        resolved = default_limit if limit is None else limit
        if resolved < 0:
            raise ValidationFailed("limit", "must not be negative")
        if max_limit is not None and resolved > max_limit:
            if not clamp:
                raise ValidationFailed("limit", f"must be at most {max_limit}")
            resolved = max_limit
        start = 0 if offset is None else offset
        if start < 0:
            raise ValidationFailed("offset", "must not be negative")
        return Page(limit=resolved, offset=start)

    return dependency
