from __future__ import annotations

import math
import statistics
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from starter.tasks.errors import PermanentError
from starter.tasks.handlers import data_processing
from starter.tasks.handlers.data_processing import THREAD_THRESHOLD, compute
from tests.tasks.handlers.conftest import MakeContext


async def run(make_ctx: MakeContext, payload: Any) -> dict[str, Any]:
    return await data_processing.handle(await make_ctx("data_processing", payload))


async def fails(make_ctx: MakeContext, payload: Any, message: str) -> None:
    with pytest.raises(PermanentError) as caught:
        await run(make_ctx, payload)
    assert str(caught.value) == message
    assert caught.value.retryable is False


async def test_count_is_the_default_operation(make_ctx: MakeContext) -> None:
    assert await run(make_ctx, {"data": [1, "a", None, {"x": 1}]}) == {
        "operation": "count",
        "result": 4,
        "count": 4,
    }


@pytest.mark.parametrize(
    ("operation", "data", "expected"),
    [
        ("sum", [1, 2, 3.5], 6.5),
        ("sum", [1, 2, 3], 6),
        ("sum", [], 0),
        ("mean", [1, 2, 3, 4], 2.5),
        ("min", [3, -1.5, 2], -1.5),
        ("max", [3, -1.5, 2], 3),
        ("sort", [3, 1, 2.5], [1, 2.5, 3]),
        ("sort", ["b", "a", "C"], ["C", "a", "b"]),
        (
            "dedupe",
            [1, 1, "1", {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1], [1]],
            [1, "1", {"a": 1, "b": 2}, [1]],
        ),
    ],
)
async def test_operations(make_ctx: MakeContext, operation: str, data: Any, expected: Any) -> None:
    result = await run(make_ctx, {"data": data, "operation": operation})
    assert result == {"operation": operation, "result": expected, "count": len(data)}
    assert type(result["result"]) is type(expected)


async def test_sort_descending(make_ctx: MakeContext) -> None:
    result = await run(make_ctx, {"data": ["a", "c", "b"], "operation": "sort", "descending": True})
    assert result["result"] == ["c", "b", "a"]


async def test_large_arrays_are_processed_in_a_thread(make_ctx: MakeContext) -> None:
    data = list(range(THREAD_THRESHOLD + 5, 0, -1))
    result = await run(make_ctx, {"data": data, "operation": "sort"})
    assert result["result"] == sorted(data)
    assert result["count"] == THREAD_THRESHOLD + 5


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "Missing 'data' field in payload"),
        ([1, 2], "Missing 'data' field in payload"),
        ({"data": [1], "operation": "process"}, "Unknown operation: process"),
        ({"data": [1], "operation": 7}, "Unknown operation: 7"),
        ({"data": {"a": 1}}, "Data is not an array for count operation"),
        ({"data": "abc", "operation": "sum"}, "Data is not an array for sum operation"),
        ({"data": 5, "operation": "sort"}, "Data is not an array for sort operation"),
        ({"data": None, "operation": "dedupe"}, "Data is not an array for dedupe operation"),
        ({"data": [1, "2"], "operation": "sum"}, "Element at index 1 is not a number"),
        ({"data": [1, True], "operation": "mean"}, "Element at index 1 is not a number"),
        ({"data": [None], "operation": "max"}, "Element at index 0 is not a number"),
        ({"data": [], "operation": "mean"}, "Cannot compute mean of an empty array"),
        ({"data": [], "operation": "min"}, "Cannot compute min of an empty array"),
        ({"data": [], "operation": "max"}, "Cannot compute max of an empty array"),
        (
            {"data": [1, "a"], "operation": "sort"},
            "Sort needs an array of only numbers or only strings",
        ),
        (
            {"data": [True, False], "operation": "sort"},
            "Sort needs an array of only numbers or only strings",
        ),
        ({"data": [1], "operation": "sort", "descending": "yes"}, "'descending' must be a boolean"),
        ({"data": [1e308, 1e308], "operation": "sum"}, "Result is not a finite number"),
    ],
)
async def test_errors(make_ctx: MakeContext, payload: Any, message: str) -> None:
    await fails(make_ctx, payload, message)


def test_sums_beyond_64_bits_become_floats() -> None:
    assert compute("sum", [2**63, 2**63]) == float(2**64)


ints = st.integers(min_value=-(2**53), max_value=2**53)
floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e100, max_value=1e100)
numbers = st.lists(st.one_of(ints, floats), max_size=50)
json_values = st.recursive(
    st.none() | st.booleans() | ints | floats | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@given(numbers)
def test_sum_matches_reference(data: list[int | float]) -> None:
    expected = sum(data) if all(isinstance(v, int) for v in data) else math.fsum(data)
    assert compute("sum", data) == expected


@given(numbers.filter(bool))
def test_mean_min_max_match_reference(data: list[int | float]) -> None:
    assert math.isclose(compute("mean", data), statistics.fmean(data), rel_tol=1e-9, abs_tol=1e-9)
    assert compute("min", data) == min(data)
    assert compute("max", data) == max(data)


@given(st.one_of(numbers, st.lists(st.text(max_size=8), max_size=50)), st.booleans())
def test_sort_matches_reference(data: list[Any], descending: bool) -> None:
    assert compute("sort", data, descending) == sorted(data, reverse=descending)


@given(st.lists(json_values, max_size=30))
def test_dedupe_matches_reference(data: list[Any]) -> None:
    reference: list[Any] = []
    for value in data:
        # Equal as JSON documents: same canonical text (object key order ignored).
        if all(
            orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
            != orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)
            for kept in reference
        ):
            reference.append(value)
    assert compute("dedupe", data) == reference
