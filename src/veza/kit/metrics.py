"""The request metrics shared by the middleware and /metrics, in the Prometheus text format.

prometheus-client costs the serving process 1.25 MiB resident (its package imports its
exposition servers, wsgiref, http.server and urllib.request with it), for two metric families
and three default collectors; this module writes the same exposition: the same families,
samples, label order and number formatting (tests/platform parse it with prometheus-client's
own parser). Only the event loop counts (``RequestObserver.record``, called by the middleware
and the read and playback lanes once they have answered, never from a thread), so the
increments take no lock.
"""

from __future__ import annotations

import functools
import gc
import math
import os
import sys
import time

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)
_REQUESTS_HELP = "HTTP requests handled, by method, route template and status"
_LATENCY_HELP = "HTTP request latency, by method and route template"


def _number(value: float) -> str:
    """A sample value as Go's strconv writes it, which Prometheus and prometheus-client use."""
    value = float(value)
    if value == math.inf:
        return "+Inf"
    if value == -math.inf:
        return "-Inf"
    if math.isnan(value):
        return "NaN"
    text = repr(value)
    dot = text.find(".")
    if value > 0 and dot > 6:  # Go switches to an exponent sooner than Python
        mantissa = f"{text[0]}.{text[1:dot]}{text[dot + 1 :]}".rstrip("0.")
        return f"{mantissa}e+{dot - 1:02d}"
    return text


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    """The label pairs sorted by name, values escaped as the text format requires."""
    return ",".join(f'{name}="{_escape(value)}"' for name, value in sorted(labels.items()))


class RequestCount:
    __slots__ = ("created", "labels", "value")

    def __init__(self, labels: str) -> None:
        self.labels = labels
        self.value = 0.0
        self.created = time.time()

    def inc(self) -> None:
        self.value += 1.0


class RequestLatency:
    __slots__ = ("counts", "created", "labels", "total")

    def __init__(self, labels: str) -> None:
        self.labels = labels
        self.counts = [0] * len(_BUCKETS)  # per bucket, not cumulative
        self.total = 0.0
        self.created = time.time()

    def observe(self, seconds: float) -> None:
        self.total += seconds
        for index, bound in enumerate(_BUCKETS):
            if seconds <= bound:
                self.counts[index] += 1
                return


_COUNTS: dict[tuple[str, str, str], RequestCount] = {}
_LATENCIES: dict[tuple[str, str], RequestLatency] = {}


# The labels' values are bounded (a method of a fixed set, a route template, a status), so
# each series is found once and the request only adds to it.
@functools.lru_cache(maxsize=4096)
def request_series(method: str, route: str, status: int) -> tuple[RequestCount, RequestLatency]:
    """The request counter's and the latency histogram's series of these labels."""
    key = (method, route, str(status))
    count = _COUNTS.get(key)
    if count is None:
        count = _COUNTS[key] = RequestCount(_labels(method=method, route=route, status=key[2]))
    latency = _LATENCIES.get(key[:2])
    if latency is None:
        latency = _LATENCIES[key[:2]] = RequestLatency(_labels(method=method, route=route))
    return count, latency


def _family(name: str, kind: str, help_text: str, samples: list[str]) -> str:
    return f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n" + "".join(samples)


def _runtime_families() -> list[str]:
    """prometheus-client's default collectors: the garbage collector, python_info, process_*."""
    stats = gc.get_stats()
    families = [
        _family(
            f"python_gc_{name}_total",
            "counter",
            help_text,
            [
                f'python_gc_{name}_total{{generation="{gen}"}} {_number(stat[key])}\n'
                for gen, stat in enumerate(stats)
            ],
        )
        for name, key, help_text in (
            ("objects_collected", "collected", "Objects collected during gc"),
            ("objects_uncollectable", "uncollectable", "Uncollectable objects found during GC"),
            ("collections", "collections", "Number of times this generation was collected"),
        )
    ]
    families.append(_family("python_info", "gauge", "Python platform information", [_PYTHON_INFO]))
    return families + _process_families()


def _python_info() -> str:
    version = sys.version.split()[0]  # what platform.python_version() reads: "3.11.7"
    major, minor, patchlevel = [*version.split("."), "0", "0"][:3]
    implementation = {"cpython": "CPython", "pypy": "PyPy"}.get(
        sys.implementation.name, sys.implementation.name
    )
    labels = _labels(
        implementation=implementation,
        major=major,
        minor=minor,
        patchlevel=patchlevel,
        version=version,
    )
    return f"python_info{{{labels}}} 1.0\n"


_PYTHON_INFO = _python_info()


def _boot_time() -> float:
    try:
        with open("/proc/stat", "rb") as stat:
            for line in stat:
                if line.startswith(b"btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return 0.0


_BOOT_TIME = _boot_time()  # 0 where there is no /proc: no process_* families, as before
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _gauge(name: str, help_text: str, value: float, kind: str = "gauge") -> str:
    return _family(name, kind, help_text, [f"{name} {_number(value)}\n"])


def _process_families() -> list[str]:
    """What prometheus-client's ProcessCollector reads from /proc/self, in its order."""
    if not _BOOT_TIME:
        return []
    families = []
    try:
        with open("/proc/self/stat", "rb") as stat:
            parts = stat.read().split(b")")[-1].split()
        families += [
            _gauge(
                "process_virtual_memory_bytes", "Virtual memory size in bytes.", float(parts[20])
            ),
            _gauge(
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                float(parts[21]) * _PAGE_SIZE,
            ),
            _gauge(
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
                float(parts[19]) / _TICKS + _BOOT_TIME,
            ),
            _gauge(
                "process_cpu_seconds_total",
                "Total user and system CPU time spent in seconds.",
                (float(parts[11]) + float(parts[12])) / _TICKS,
                kind="counter",
            ),
        ]
    except OSError:
        pass
    try:
        with open("/proc/self/limits", "rb") as limits:
            max_fds = next(
                float(line.split()[3]) for line in limits if line.startswith(b"Max open file")
            )
        open_fds = len(os.listdir("/proc/self/fd"))
        families += [
            _gauge("process_open_fds", "Number of open file descriptors.", open_fds),
            _gauge("process_max_fds", "Maximum number of open file descriptors.", max_fds),
        ]
    except (OSError, StopIteration, ValueError):
        pass
    return families


def _request_families() -> list[str]:
    counts = list(_COUNTS.values())
    latencies = list(_LATENCIES.values())
    requests = "veza_http_requests"
    latency = "veza_http_request_duration_seconds"
    histogram: list[str] = []
    for series in latencies:
        cumulative = 0
        for bound, count in zip(_BUCKETS, series.counts, strict=True):
            cumulative += count
            histogram.append(
                f'{latency}_bucket{{le="{_number(bound)}",{series.labels}}} {_number(cumulative)}\n'
            )
        histogram.append(f"{latency}_count{{{series.labels}}} {_number(cumulative)}\n")
        histogram.append(f"{latency}_sum{{{series.labels}}} {_number(series.total)}\n")
    families = [
        _family(
            f"{requests}_total",
            "counter",
            _REQUESTS_HELP,
            [f"{requests}_total{{{s.labels}}} {_number(s.value)}\n" for s in counts],
        )
    ]
    if counts:  # the creation times follow a family's samples, when it has any
        created = [f"{requests}_created{{{s.labels}}} {_number(s.created)}\n" for s in counts]
        families.append(_family(f"{requests}_created", "gauge", _REQUESTS_HELP, created))
    families.append(_family(latency, "histogram", _LATENCY_HELP, histogram))
    if latencies:
        created = [f"{latency}_created{{{s.labels}}} {_number(s.created)}\n" for s in latencies]
        families.append(_family(f"{latency}_created", "gauge", _LATENCY_HELP, created))
    return families


def render_latest() -> tuple[bytes, str]:
    """The exposition of this process, in prometheus-client's order, and its content type."""
    return "".join(_runtime_families() + _request_families()).encode(), CONTENT_TYPE
