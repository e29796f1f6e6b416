"""Per-task-type circuit breakers, in memory, one set per worker process (docs/tasks.md).

Closed: failures count up (a success resets them); `failure_threshold` failures → open.
Open: the type is not claimed until `open_secs` after the last failure → half-open.
Half-open: tasks run; `success_threshold` successes → closed; any failure → open again.
An open circuit leaves the tasks pending instead of failing them: they run when it closes,
or on another worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerConfig:
    failure_threshold: int = 5
    success_threshold: int = 3
    open_secs: float = 60.0


@dataclass
class CircuitBreaker:
    config: BreakerConfig = field(default_factory=BreakerConfig)
    clock: Callable[[], float] = time.monotonic
    _state: BreakerState = BreakerState.CLOSED
    _failures: int = 0
    _successes: int = 0
    _last_failure: float = 0.0

    @property
    def state(self) -> BreakerState:
        """The state now; an open circuit whose timeout elapsed becomes half-open."""
        if (
            self._state is BreakerState.OPEN
            and self.clock() - self._last_failure >= self.config.open_secs
        ):
            self._state = BreakerState.HALF_OPEN
            self._successes = 0
        return self._state

    def allows(self) -> bool:
        return self.state is not BreakerState.OPEN

    def reopens_in(self) -> float | None:
        """Seconds until an open circuit goes half-open; None when not open."""
        if self.state is not BreakerState.OPEN:
            return None
        return max(0.0, self._last_failure + self.config.open_secs - self.clock())

    def record_success(self) -> BreakerState:
        state = self.state
        if state is BreakerState.HALF_OPEN:
            self._successes += 1
            if self._successes >= self.config.success_threshold:
                self._state = BreakerState.CLOSED
                self._failures = self._successes = 0
        elif state is BreakerState.CLOSED:
            self._failures = 0
        return self._state

    def record_failure(self) -> BreakerState:
        state = self.state
        self._last_failure = self.clock()
        if state is BreakerState.HALF_OPEN:
            self._state = BreakerState.OPEN
        elif state is BreakerState.CLOSED:
            self._failures += 1
            if self._failures >= self.config.failure_threshold:
                self._state = BreakerState.OPEN
        return self._state


class BreakerBoard:
    """One breaker per task type."""

    def __init__(
        self, config: BreakerConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or BreakerConfig()
        self.clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, task_type: str) -> CircuitBreaker:
        breaker = self._breakers.get(task_type)
        if breaker is None:
            breaker = CircuitBreaker(self.config, self.clock)
            self._breakers[task_type] = breaker
        return breaker

    def open_types(self, task_types: Iterable[str] | None = None) -> list[str]:
        names = self._breakers if task_types is None else task_types
        return [t for t in names if t in self._breakers and not self._breakers[t].allows()]

    def next_reopen_in(self) -> float | None:
        waits = [w for b in self._breakers.values() if (w := b.reopens_in()) is not None]
        return min(waits) if waits else None

    def states(self) -> dict[str, BreakerState]:
        return {name: breaker.state for name, breaker in self._breakers.items()}
