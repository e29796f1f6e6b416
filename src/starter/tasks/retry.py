"""Retry strategies stored in `tasks.retry_strategy` (externally tagged JSON, the form v1
clients read and write; docs/tasks.md).

    {"exponential": {"base_delay": {"secs": 1, "nanos": 0}, "multiplier": 2.0,
                     "max_delay": {"secs": 300, "nanos": 0}, "max_attempts": 5}}
    {"linear": {"base_delay": …, "increment": …, "max_delay": …, "max_attempts": N}}
    {"fixed": {"interval": …, "max_attempts": N}}
    {"none": {}}  or  "none"

An optional `"jitter"` (fraction 0..1, default 0.1) inside the strategy object (v1 clients
never send one, so they get the default): the delay becomes `delay × (1 ± jitter)`, so retries
of many tasks failing together spread out.
`delay_for(attempt)` is `None` once `attempt >= max_attempts`, otherwise the
delay in seconds before the next try (`attempt` = the number of attempts already made).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

DEFAULT_JITTER = 0.1
# Durations are {"secs", "nanos"} objects, as v1 clients write them; a plain number of seconds is
# accepted too.
_MAX_SECS = 10 * 365 * 24 * 3600
_MAX_ATTEMPTS = 1000

DEFAULT_STRATEGY_JSON: dict[str, Any] = {
    "exponential": {
        "base_delay": {"secs": 1, "nanos": 0},
        "multiplier": 2.0,
        "max_delay": {"secs": 300, "nanos": 0},
        "max_attempts": 5,
    }
}


@dataclass(frozen=True)
class RetryStrategy:
    """Base: subclasses give the un-jittered delay; jitter and the attempt cap live here."""

    max_attempts: int
    jitter: float = DEFAULT_JITTER

    def base_delay_for(self, attempt: int) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def delay_for(self, attempt: int, rng: random.Random | None = None) -> float | None:
        """Seconds to wait before the next attempt, or None when no attempt remains."""
        if attempt >= self.max_attempts:
            return None
        delay = self.base_delay_for(max(attempt, 0))
        if self.jitter and delay > 0:
            spread = (rng or random).uniform(-self.jitter, self.jitter)
            delay = max(0.0, delay * (1.0 + spread))
        return delay

    def to_json(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True)
class ExponentialStrategy(RetryStrategy):
    base_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 300.0

    def base_delay_for(self, attempt: int) -> float:
        # Computed in log space so huge attempt numbers cannot overflow a float.
        if self.base_delay <= 0:
            return 0.0
        if self.multiplier > 1 and attempt * math.log(self.multiplier) > math.log(
            self.max_delay / self.base_delay + 1.0
        ):
            return self.max_delay
        ms = math.floor(self.base_delay * 1000 * self.multiplier**attempt)
        return min(ms / 1000, self.max_delay)

    def to_json(self) -> dict[str, Any]:
        return {
            "exponential": {
                "base_delay": _duration(self.base_delay),
                "multiplier": self.multiplier,
                "max_delay": _duration(self.max_delay),
                "max_attempts": self.max_attempts,
                "jitter": self.jitter,
            }
        }


@dataclass(frozen=True)
class LinearStrategy(RetryStrategy):
    base_delay: float = 1.0
    increment: float = 1.0
    max_delay: float = 300.0

    def base_delay_for(self, attempt: int) -> float:
        return min(self.base_delay + self.increment * attempt, self.max_delay)

    def to_json(self) -> dict[str, Any]:
        return {
            "linear": {
                "base_delay": _duration(self.base_delay),
                "increment": _duration(self.increment),
                "max_delay": _duration(self.max_delay),
                "max_attempts": self.max_attempts,
                "jitter": self.jitter,
            }
        }


@dataclass(frozen=True)
class FixedStrategy(RetryStrategy):
    interval: float = 1.0

    def base_delay_for(self, attempt: int) -> float:
        return self.interval

    def to_json(self) -> dict[str, Any]:
        return {
            "fixed": {
                "interval": _duration(self.interval),
                "max_attempts": self.max_attempts,
                "jitter": self.jitter,
            }
        }


@dataclass(frozen=True)
class NoRetryStrategy(RetryStrategy):
    max_attempts: int = 1  # exactly one attempt

    def base_delay_for(self, attempt: int) -> float:
        return 0.0

    def delay_for(self, attempt: int, rng: random.Random | None = None) -> float | None:
        return None

    def to_json(self) -> dict[str, Any]:
        return {"none": {}}


def _duration(secs: float) -> dict[str, int]:
    whole = math.floor(secs)
    return {"secs": whole, "nanos": round((secs - whole) * 1_000_000_000)}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_duration(params: dict[str, Any], key: str) -> float:
    if key not in params:
        raise ValueError(f"missing field '{key}'")
    raw = params[key]
    if _number(raw):
        secs = float(raw)
    elif isinstance(raw, dict):
        s, n = raw.get("secs"), raw.get("nanos", 0)
        if not _is_int(s) or not _is_int(n):
            raise ValueError(f'\'{key}\' must be {{"secs": int, "nanos": int}}')
        if not 0 <= n < 1_000_000_000:
            raise ValueError(f"'{key}.nanos' must be between 0 and 999999999")
        secs = s + n / 1_000_000_000
    else:
        raise ValueError(f'\'{key}\' must be a duration {{"secs": int, "nanos": int}}')
    if secs < 0 or secs > _MAX_SECS:
        raise ValueError(f"'{key}' must be between 0 and {_MAX_SECS} seconds")
    return secs


def _parse_attempts(params: dict[str, Any]) -> int:
    if "max_attempts" not in params:
        raise ValueError("missing field 'max_attempts'")
    value = params["max_attempts"]
    # Every attempt counts, the first included: at least one.
    if not _is_int(value) or not 1 <= value <= _MAX_ATTEMPTS:
        raise ValueError(f"'max_attempts' must be an integer between 1 and {_MAX_ATTEMPTS}")
    return int(value)


def _parse_jitter(params: dict[str, Any]) -> float:
    value = params.get("jitter", DEFAULT_JITTER)
    if not _number(value) or not 0 <= value <= 1:
        raise ValueError("'jitter' must be a number between 0 and 1")
    return float(value)


def parse_strategy(obj: Any) -> RetryStrategy:
    """Parse the stored JSON; raise ValueError with a readable message on anything else."""
    if obj == "none":
        return NoRetryStrategy()
    if not isinstance(obj, dict) or len(obj) != 1:
        raise ValueError(
            "retry strategy must be an object with exactly one of "
            "'exponential', 'linear', 'fixed', 'none'"
        )
    ((kind, params),) = obj.items()
    if kind == "none":
        if params not in ({}, None):
            raise ValueError("'none' takes no parameters")
        return NoRetryStrategy()
    if not isinstance(params, dict):
        raise ValueError(f"'{kind}' parameters must be an object")
    if kind == "exponential":
        multiplier: Any = params.get("multiplier")
        if not _number(multiplier) or not 1.0 <= multiplier <= 100.0:
            raise ValueError("'multiplier' must be a number between 1 and 100")
        base, cap = _parse_duration(params, "base_delay"), _parse_duration(params, "max_delay")
        return ExponentialStrategy(
            max_attempts=_parse_attempts(params),
            jitter=_parse_jitter(params),
            base_delay=base,
            multiplier=float(multiplier),
            max_delay=cap,
        )
    if kind == "linear":
        return LinearStrategy(
            max_attempts=_parse_attempts(params),
            jitter=_parse_jitter(params),
            base_delay=_parse_duration(params, "base_delay"),
            increment=_parse_duration(params, "increment"),
            max_delay=_parse_duration(params, "max_delay"),
        )
    if kind == "fixed":
        return FixedStrategy(
            max_attempts=_parse_attempts(params),
            jitter=_parse_jitter(params),
            interval=_parse_duration(params, "interval"),
        )
    raise ValueError(
        f"unknown retry strategy '{kind}' (expected exponential, linear, fixed or none)"
    )


DEFAULT_STRATEGY: RetryStrategy = parse_strategy(DEFAULT_STRATEGY_JSON)


def strategy_or_default(obj: Any) -> RetryStrategy:
    """For stored rows: `{}` (the column default) or junk fall back to the default strategy."""
    if obj in ({}, None):
        return DEFAULT_STRATEGY
    try:
        return parse_strategy(obj)
    except ValueError:
        return DEFAULT_STRATEGY
