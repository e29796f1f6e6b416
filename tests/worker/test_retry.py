"""Retry strategy parsing and delay math (docs/tasks.md, "Retry strategies")."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starter.tasks.retry import (
    DEFAULT_STRATEGY_JSON,
    ExponentialStrategy,
    FixedStrategy,
    LinearStrategy,
    NoRetryStrategy,
    parse_strategy,
    strategy_or_default,
)


def dur(secs: float) -> dict[str, int]:
    return {"secs": int(secs), "nanos": round((secs - int(secs)) * 1e9)}


def test_default_strategy_is_exponential_from_one_second() -> None:
    strategy = parse_strategy(DEFAULT_STRATEGY_JSON)
    assert isinstance(strategy, ExponentialStrategy)
    assert strategy.max_attempts == 5
    assert [strategy.base_delay_for(a) for a in range(5)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert strategy.delay_for(5) is None
    assert strategy.jitter == 0.1


def test_each_kind_parses() -> None:
    linear = parse_strategy(
        {
            "linear": {
                "base_delay": dur(2),
                "increment": dur(3),
                "max_delay": dur(10),
                "max_attempts": 4,
                "jitter": 0,
            }
        }
    )
    assert [linear.delay_for(a) for a in range(5)] == [2.0, 5.0, 8.0, 10.0, None]
    fixed = parse_strategy({"fixed": {"interval": dur(1.5), "max_attempts": 2, "jitter": 0}})
    assert [fixed.delay_for(a) for a in range(3)] == [1.5, 1.5, None]
    assert isinstance(parse_strategy({"none": {}}), NoRetryStrategy)
    assert isinstance(parse_strategy("none"), NoRetryStrategy)
    assert parse_strategy("none").delay_for(0) is None


@pytest.mark.parametrize(
    ("junk", "message"),
    [
        (42, "retry strategy must be an object with exactly one of"),
        ({}, "retry strategy must be an object with exactly one of"),
        ({"fixed": {}, "none": {}}, "retry strategy must be an object with exactly one of"),
        ({"quadratic": {}}, "unknown retry strategy 'quadratic'"),
        ({"fixed": {"interval": dur(1)}}, "missing field 'max_attempts'"),
        ({"fixed": {"interval": "1s", "max_attempts": 1}}, "'interval' must be a duration"),
        (
            {"fixed": {"interval": {"secs": -1, "nanos": 0}, "max_attempts": 1}},
            "'interval' must be between",
        ),
        (
            {"fixed": {"interval": dur(1), "max_attempts": True}},
            "'max_attempts' must be an integer",
        ),
        (
            {"fixed": {"interval": dur(1), "max_attempts": 1, "jitter": 2}},
            "'jitter' must be a number",
        ),
        (
            {"exponential": {"base_delay": dur(1), "max_delay": dur(1), "max_attempts": 1}},
            "'multiplier' must be a number between 1 and 100",
        ),
        ({"none": {"x": 1}}, "'none' takes no parameters"),
    ],
)
def test_junk_is_a_value_error(junk: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_strategy(junk)


def test_stored_junk_falls_back_to_the_default() -> None:
    assert strategy_or_default({}) == parse_strategy(DEFAULT_STRATEGY_JSON)
    assert strategy_or_default({"bogus": 1}) == parse_strategy(DEFAULT_STRATEGY_JSON)


def test_round_trip_through_json() -> None:
    for strategy in (
        ExponentialStrategy(max_attempts=3, jitter=0.2, base_delay=0.5, multiplier=3, max_delay=60),
        LinearStrategy(max_attempts=2, jitter=0, base_delay=1, increment=0.25, max_delay=9),
        FixedStrategy(max_attempts=7, jitter=0.05, interval=4),
        NoRetryStrategy(),
    ):
        assert parse_strategy(strategy.to_json()) == strategy


secs = st.floats(min_value=0, max_value=3600, allow_nan=False)
attempts = st.integers(min_value=0, max_value=60)


@st.composite
def growing(draw: st.DrawFn) -> ExponentialStrategy | LinearStrategy:
    cap = draw(secs)
    if draw(st.booleans()):
        return ExponentialStrategy(
            max_attempts=draw(st.integers(1, 60)),
            jitter=0,
            base_delay=draw(secs),
            multiplier=draw(st.floats(1, 10)),
            max_delay=cap,
        )
    return LinearStrategy(
        max_attempts=draw(st.integers(1, 60)),
        jitter=0,
        base_delay=draw(secs),
        increment=draw(secs),
        max_delay=cap,
    )


@given(growing(), attempts)
def test_delays_never_decrease_without_jitter(strategy: RetryLike, attempt: int) -> None:
    first, second = strategy.delay_for(attempt), strategy.delay_for(attempt + 1)
    if first is not None and second is not None:
        assert second >= first


@given(growing(), attempts)
def test_delays_are_capped_at_max_delay(strategy: RetryLike, attempt: int) -> None:
    delay = strategy.delay_for(attempt)
    if delay is not None:
        assert delay <= strategy.max_delay


@given(growing(), attempts)
def test_no_delay_at_or_after_max_attempts(strategy: RetryLike, attempt: int) -> None:
    assert (strategy.delay_for(attempt) is None) == (attempt >= strategy.max_attempts)


@given(st.floats(0, 1), st.floats(0.001, 1000), st.integers(0, 9), st.integers(0, 2**32))
def test_jitter_stays_within_its_fraction(
    jitter: float, interval: float, attempt: int, seed: int
) -> None:
    strategy = FixedStrategy(max_attempts=10, jitter=jitter, interval=interval)
    delay = strategy.delay_for(attempt, random.Random(seed))
    assert delay is not None
    assert interval * (1 - jitter) - 1e-9 <= delay <= interval * (1 + jitter) + 1e-9


def test_jitter_actually_spreads_delays() -> None:
    strategy = FixedStrategy(max_attempts=10, jitter=0.5, interval=10)
    rng = random.Random(1)
    assert len({strategy.delay_for(1, rng) for _ in range(20)}) > 10


def test_huge_attempt_numbers_do_not_overflow() -> None:
    strategy = ExponentialStrategy(
        max_attempts=1000, jitter=0, base_delay=1, multiplier=100, max_delay=300
    )
    assert strategy.delay_for(999) == 300


RetryLike = ExponentialStrategy | LinearStrategy
