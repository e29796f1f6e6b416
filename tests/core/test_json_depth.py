"""parse_json_body's depth limit at its boundary, for narrow and for wide documents (a batch
of a thousand small objects has many brackets and is shallow)."""

from __future__ import annotations

import orjson
import pytest

from starter.core.errors import ValidationFailed
from starter.core.input_limits import MAX_JSON_DEPTH, parse_json_body


def nested(levels: int) -> object:
    """`levels` containers deep, alternating lists and objects."""
    value: object = 1
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("width", [1, 1000])
def test_the_limit_is_exact(width: int) -> None:
    at_limit = [nested(MAX_JSON_DEPTH - 1)] * width
    assert parse_json_body(orjson.dumps(at_limit)) == at_limit
    past = [{"tags": {"a": 1}} for _ in range(width - 1)] + [nested(MAX_JSON_DEPTH)]
    with pytest.raises(ValidationFailed, match="nested deeper than 64") as error:
        parse_json_body(orjson.dumps(past))
    assert error.value.field == str(width - 1)


def test_a_wide_shallow_document_is_accepted() -> None:
    batch = {"events": [{"tags": {"n": n}, "payload": {"k": [n]}} for n in range(1000)]}
    assert parse_json_body(orjson.dumps(batch)) == batch
