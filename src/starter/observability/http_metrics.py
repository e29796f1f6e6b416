"""Per-route HTTP metrics as a pure ASGI middleware.

Labels use the matched route TEMPLATE (`/api/v1/tasks/{id}`), never the raw path, so the
number of series is bounded by the number of routes. The hot path only bumps plain Python
numbers (the event loop is one thread, so no locks); a collector registered on
prometheus_client's default registry turns them into `http_requests_total` and
`http_request_duration_seconds` at scrape time. prometheus_client's own Counter/Histogram
take a lock per update and cost several times more per request (figures in bench/README.md).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_TEMPLATE_ATTR = "_starter_metrics_template"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# (method, route, status) → requests; (method, route) → [per-bucket counts…, +Inf, sum, count].
_requests: dict[tuple[str, str, int], int] = {}
_durations: dict[tuple[str, str], list[float]] = {}


def record(method: str, route: str, status: int, seconds: float) -> None:
    if method not in _METHODS:
        method = "OTHER"
    key = (method, route, status)
    _requests[key] = _requests.get(key, 0) + 1
    series = _durations.get((method, route))
    if series is None:
        series = _durations[(method, route)] = [0.0] * (len(BUCKETS) + 3)
    series[bisect_left(BUCKETS, seconds)] += 1
    series[-2] += seconds
    series[-1] += 1


def totals() -> tuple[float, list[float]]:
    """Requests served by this process so far, and their per-bucket counts (BUCKETS, then
    +Inf), over every route: what the platform's own sampled metrics are computed from."""
    per_bucket = [0.0] * (len(BUCKETS) + 1)
    for series in list(_durations.values()):
        for index in range(len(per_bucket)):
            per_bucket[index] += series[index]
    return sum(per_bucket), per_bucket


def quantile(per_bucket: list[float], q: float) -> float | None:
    """The upper bound of the bucket holding the q-quantile (the last finite one for +Inf)."""
    total = sum(per_bucket)
    if total <= 0:
        return None
    cumulative = 0.0
    for index, count in enumerate(per_bucket):
        cumulative += count
        if cumulative >= q * total:
            return BUCKETS[min(index, len(BUCKETS) - 1)]
    return BUCKETS[-1]


class HttpMetricsCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "http_requests",
            "HTTP requests by method, route template and status",
            labels=["method", "route", "status"],
        )
        for (method, route, status), value in list(_requests.items()):
            requests.add_metric([method, route, str(status)], value)
        yield requests
        durations = HistogramMetricFamily(
            "http_request_duration_seconds",
            "HTTP request duration by method and route template",
            labels=["method", "route"],
        )
        bounds = [*(repr(b) for b in BUCKETS), "+Inf"]
        for (method, route), series in list(_durations.items()):
            cumulative, buckets = 0.0, []
            for bound, count in zip(bounds, series[: len(bounds)], strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            durations.add_metric([method, route], buckets, series[-2])
        yield durations


REGISTRY.register(HttpMetricsCollector())


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    template: str | None = getattr(route, _TEMPLATE_ATTR, None)
    if template is None:
        template = _full_template(route, scope["path"])
        setattr(route, _TEMPLATE_ATTR, template)
    return template


def _full_template(route: Any, path: str) -> str:
    """The route's path with the prefixes it was included under.

    FastAPI keeps an included route's own path (`/tasks/{id}`) and matches the prefix
    (`/api/v1`) separately, so find the longest suffix of the request path the route's own
    pattern matches: what comes before it is the (literal) prefix. Computed once per route.
    """
    own = getattr(route, "path", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(own, str):
        return UNMATCHED
    if pattern is not None:
        for index, char in enumerate(path):
            if char == "/" and pattern.match(path[index:]):
                return path[:index] + own
    return own


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            # The router wrote the matched route into this same scope dict.
            record(scope["method"], _route_template(scope), status, time.perf_counter() - started)
