"""Limits every request's input meets before any route sees it (docs/limits.md).

- No NUL character in the path, a query parameter, or any string of a JSON body (keys too):
  PostgreSQL text cannot hold one, so it would fail in the database instead of at the edge.
- JSON bodies nest at most `MAX_JSON_DEPTH` containers deep: deeper documents cannot be
  serialized again (orjson stops at 255 levels) and no field of ours needs them.

The checks answer 400 `VALIDATION_FAILED` naming the field. They cost two byte scans per body
and per query string; the walk over the parsed value runs only when a scan finds a candidate.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson

from starter.core.errors import InvalidJson, ValidationFailed

MAX_JSON_DEPTH = 64
NUL_DETAIL = "must not contain NUL characters (\\u0000)"
DEPTH_DETAIL = f"JSON is nested deeper than {MAX_JSON_DEPTH} levels"
_SHOWN_FIELD_CHARS = 200


def parse_json_body(body: bytes) -> Any:
    """The parsed body, or InvalidJson (syntax; orjson also refuses NaN/Infinity and invalid
    UTF-8) or ValidationFailed (a limit above)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidJson(f"Request body is not valid JSON: {error}") from None
    # A NUL can only arrive escaped; a document with few brackets cannot be deep.
    may_hold_nul = b"\\u0000" in body
    may_be_deep = body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH
    if may_hold_nul or (may_be_deep and _deeper_than_limit(value)):
        _walk(value)  # names the field
    return value


def _deeper_than_limit(document: Any) -> bool:
    """Level by level over the containers only: a many-bracket body that is shallow (a batch
    of a thousand small objects) costs one pass over its values, with no paths built."""
    level = [document] if isinstance(document, dict | list) else []
    for _ in range(MAX_JSON_DEPTH):
        level = [
            item
            for container in level
            for item in (container.values() if isinstance(container, dict) else container)
            if isinstance(item, dict | list)
        ]
        if not level:
            return False
    return True


def _field(path: list[str | int]) -> str:
    shown = ".".join(str(part) for part in path) or "body"
    return shown if len(shown) <= _SHOWN_FIELD_CHARS else shown[:_SHOWN_FIELD_CHARS] + "…"


def _walk(document: Any) -> None:
    """Depth-first over the parsed document, without recursion (so depth cannot hurt it)."""
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ValidationFailed(_field(path), NUL_DETAIL)
            continue
        if not isinstance(value, dict | list):
            continue
        if len(path) >= MAX_JSON_DEPTH:
            raise ValidationFailed(_field(path[:1]), DEPTH_DETAIL)
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise ValidationFailed(_field(path), f"keys {NUL_DETAIL}")
                stack.append((item, [*path, key]))
        else:
            stack.extend((item, [*path, index]) for index, item in enumerate(value))


def request_target_problem(path: str, query_string: bytes) -> ValidationFailed | None:
    """A NUL in the (decoded) path or in a query parameter's name or value."""
    if "\x00" in path:
        return ValidationFailed("path", NUL_DETAIL)
    if b"%00" not in query_string and b"\x00" not in query_string:
        return None
    # Decoded the way Starlette decodes it for the routes.
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name:
            return ValidationFailed("query", f"parameter names {NUL_DETAIL}")
        if "\x00" in value:
            return ValidationFailed(name, NUL_DETAIL)
    return None
