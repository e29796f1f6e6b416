"""Every timestamp leaves as RFC 3339 UTC with exactly six fractional digits and `Z`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from starter.core.envelope import Timestamp


class Stamped(BaseModel):
    at: Timestamp
    maybe: Timestamp | None = None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "2025-01-02T03:04:05.123456Z"),
        (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), "2025-01-02T03:04:05.000000Z"),
        (datetime(2025, 1, 2, 3, 4, 5, 5, tzinfo=UTC), "2025-01-02T03:04:05.000005Z"),
        (
            datetime(2025, 1, 2, 3, 4, 5, 999999, tzinfo=timezone(timedelta(hours=2))),
            "2025-01-02T01:04:05.999999Z",
        ),
    ],
)
def test_json_form(value: datetime, expected: str) -> None:
    model = Stamped(at=value, maybe=value)
    assert model.model_dump(mode="json") == {"at": expected, "maybe": expected}
    assert model.model_dump_json() == f'{{"at":"{expected}","maybe":"{expected}"}}'
    assert Stamped(at=value).model_dump(mode="json")["maybe"] is None
    assert model.model_dump()["at"] == value  # Python mode keeps the datetime


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7))])))
def test_fixed_width_sorts_like_time(value: datetime) -> None:
    later = value + timedelta(microseconds=1)
    if later.astimezone(UTC).year > 9999:
        return
    first = Stamped(at=value).model_dump(mode="json")["at"]
    second = Stamped(at=later).model_dump(mode="json")["at"]
    assert len(first) == len(second) == 27
    assert first < second
