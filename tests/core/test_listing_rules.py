"""What `list_response` renders itself and what it refuses (the endpoints' parity is in
test_list_response.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import (
    BaseModel,
    Field,
    TypeAdapter,
    computed_field,
    field_serializer,
    field_validator,
)

from starter.core.envelope import ApiResponse, Timestamp
from starter.core.listing import list_response


class Nested(BaseModel):
    x: int


class WithComputed(BaseModel):
    x: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def doubled(self) -> int:
        return self.x * 2


class WithSerializer(BaseModel):
    x: int

    @field_serializer("x")
    def _shown(self, value: int) -> str:
        return str(value)


class WithAfterValidator(BaseModel):
    x: int

    @field_validator("x")
    @classmethod
    def _positive(cls, value: int) -> int:
        return abs(value)


@pytest.mark.parametrize(
    "annotation", [datetime, Nested, Decimal, list[float], dict[str, uuid.UUID], int | str]
)
def test_fields_whose_json_could_differ_are_refused(annotation: Any) -> None:
    model = type("Odd", (BaseModel,), {"__annotations__": {"value": annotation}})
    with pytest.raises(TypeError, match=r"Odd\.value"):
        list_response(model, [])


@pytest.mark.parametrize("model", [WithComputed, WithSerializer, WithAfterValidator])
def test_decorators_it_cannot_apply_are_refused(model: type[BaseModel]) -> None:
    with pytest.raises(TypeError, match=model.__name__):
        list_response(model, [])


class Renamed(BaseModel):
    kept: str | None
    shown: int = Field(serialization_alias="shown_as")
    at: Timestamp
    ratio: float
    tags: Any

    @field_validator("tags", mode="before")
    @classmethod
    def _object_or_empty(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else {}


def test_aliases_before_validators_and_edge_values_render_as_pydantic_does() -> None:
    rows = [
        {
            "kept": 'quote " back \\ nl \n \u2028 é',
            "shown": 7,
            "at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            "ratio": 3,  # an integer column read into a float field
            "tags": ["not", "an", "object"],
        },
        {
            "kept": None,
            "shown": -1,
            "at": datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=-8))),
            "ratio": float("nan"),
            "tags": {"k": [1.5, None, True]},
        },
    ]
    adapter: TypeAdapter[Any] = TypeAdapter(ApiResponse[list[Renamed]])
    expected = adapter.dump_json(
        ApiResponse[list[Renamed]](data=[Renamed.model_validate(row) for row in rows]),
        by_alias=True,
    )
    assert list_response(Renamed, rows, None).body == expected
    assert b'"at":"2025-01-02T03:04:05.000000Z"' in expected
    assert b'"shown_as":7' in expected
