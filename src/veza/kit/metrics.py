"""Prometheus metrics shared by the middleware and /metrics."""

from __future__ import annotations

import functools
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter(
    "veza_http_requests_total",
    "HTTP requests handled, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "veza_http_request_duration_seconds",
    "HTTP request latency, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


# Looking a labelled series up (``labels()``: the values checked, joined and found under a
# lock) cost more than counting in it, on every request; the labels' values are bounded (a
# method of a fixed set, a route template, a status), so each series is looked up once.
@functools.lru_cache(maxsize=4096)
def request_series(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The request counter's and the latency histogram's series of these labels."""
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route)


def render_latest() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
