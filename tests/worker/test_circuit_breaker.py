"""Circuit breaker state machine with a fake clock (docs/tasks.md)."""

from __future__ import annotations

from starter.tasks.circuit_breaker import BreakerBoard, BreakerConfig, BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_open_then_half_open_after_sixty_seconds_then_three_successes_close() -> None:
    clock = Clock()
    breaker = CircuitBreaker(BreakerConfig(), clock)
    for _ in range(4):
        assert breaker.record_failure() is BreakerState.CLOSED
    assert breaker.record_failure() is BreakerState.OPEN
    assert not breaker.allows()
    clock.now += 59.9
    assert breaker.state is BreakerState.OPEN
    assert breaker.reopens_in() is not None
    clock.now += 0.1
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allows()
    assert breaker.record_success() is BreakerState.HALF_OPEN
    assert breaker.record_success() is BreakerState.HALF_OPEN
    assert breaker.record_success() is BreakerState.CLOSED


def test_a_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(BreakerConfig(), Clock())
    for _ in range(4):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(4):
        assert breaker.record_failure() is BreakerState.CLOSED


def test_any_half_open_failure_reopens() -> None:
    clock = Clock()
    breaker = CircuitBreaker(BreakerConfig(failure_threshold=1, open_secs=5), clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.record_success() is BreakerState.HALF_OPEN
    assert breaker.record_failure() is BreakerState.OPEN
    assert breaker.reopens_in() == 5


def test_board_lists_open_types_and_next_reopen() -> None:
    clock = Clock()
    board = BreakerBoard(BreakerConfig(failure_threshold=2, open_secs=10), clock)
    board.get("a").record_failure()
    board.get("a").record_failure()
    board.get("b").record_failure()
    assert board.open_types(["a", "b", "c"]) == ["a"]
    clock.now += 4
    assert board.next_reopen_in() == 6
    clock.now += 6
    assert board.open_types() == []
    assert board.states() == {"a": BreakerState.HALF_OPEN, "b": BreakerState.CLOSED}
