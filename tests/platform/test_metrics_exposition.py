"""/metrics in the Prometheus text format, read back with prometheus-client's own parser."""

from __future__ import annotations

import math

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

_RUNTIME_FAMILIES = {
    "process_virtual_memory_bytes": "gauge",
    "process_resident_memory_bytes": "gauge",
    "process_start_time_seconds": "gauge",
    "process_cpu_seconds": "counter",
    "process_open_fds": "gauge",
    "process_max_fds": "gauge",
    "python_info": "gauge",
    "python_gc_objects_collected": "counter",
    "python_gc_objects_uncollectable": "counter",
    "python_gc_collections": "counter",
}


async def _scrape(client: httpx.AsyncClient) -> dict[str, tuple[str, list[Sample]]]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        family.name: (family.type, family.samples)
        for family in text_string_to_metric_families(response.text)
    }


def _value(samples: list[Sample], name: str, **labels: str) -> float:
    (found,) = [s.value for s in samples if s.name == name and s.labels == labels]
    return found


async def test_the_exposition_has_the_request_and_runtime_families(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/health")
    families = await _scrape(client)
    for name, kind in _RUNTIME_FAMILIES.items():
        assert families[name][0] == kind, name
    assert _value(families["process_resident_memory_bytes"][1], "process_resident_memory_bytes") > 0
    assert _value(families["process_open_fds"][1], "process_open_fds") >= 3
    (info,) = families["python_info"][1]
    assert info.labels["implementation"] == "CPython" and info.value == 1.0
    generations = {s.labels["generation"] for s in families["python_gc_collections"][1]}
    assert generations == {"0", "1", "2"}
    kind, samples = families["veza_http_requests"]
    assert kind == "counter"
    labels = {"method": "GET", "route": "/health", "status": "200"}
    assert _value(samples, "veza_http_requests_total", **labels) >= 1
    created = families["veza_http_requests_created"][1]
    assert _value(created, "veza_http_requests_created", **labels) > 0


async def test_requests_are_counted_and_their_latency_bucketed(client: httpx.AsyncClient) -> None:
    route = {"method": "GET", "route": "/ready"}
    counted = {**route, "status": "200"}
    await client.get("/ready")
    before = await _scrape(client)
    for _ in range(3):
        await client.get("/ready")
    after = await _scrape(client)

    def total(families: dict[str, tuple[str, list[Sample]]]) -> float:
        return _value(families["veza_http_requests"][1], "veza_http_requests_total", **counted)

    assert total(after) - total(before) == 3
    kind, samples = after["veza_http_request_duration_seconds"]
    assert kind == "histogram"
    name = "veza_http_request_duration_seconds"
    buckets = [
        (float(s.labels["le"]), s.value)
        for s in samples
        if s.name == f"{name}_bucket" and {k: s.labels[k] for k in route} == route
    ]
    bounds = [bound for bound, _ in buckets]
    assert bounds == [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf]
    counts = [count for _, count in buckets]
    assert counts == sorted(counts)  # cumulative
    count = _value(samples, f"{name}_count", **route)
    assert counts[-1] == count
    assert count - _value(before[name][1], f"{name}_count", **route) == 3
    assert _value(samples, f"{name}_sum", **route) > 0
