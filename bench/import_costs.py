"""What the start-up imports of a process cost: resident memory (exclusive, per top-level
package, in the order the imports happen) and import time, in a fresh interpreter.

    PYTHONPATH=src .venv/bin/python bench/import_costs.py serve   # uvicorn, veza.serving, veza.app
    PYTHONPATH=src .venv/bin/python bench/import_costs.py worker  # `veza worker`'s start-up

A package's figure is the growth of RSS while it was first imported, minus what the packages
it imported in turn account for; `veza.*` modules are counted one by one. The total is the
RSS once every import is done (the interpreter alone is the "start" figure). `worker` runs the
real command (its migrations included, on a fresh data folder) up to arq's run_worker, which is
replaced by the end of the measurement: Redis is not contacted.
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SERVE_MODULES = ("uvicorn", "veza.serving", "veza.app")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


costs: dict[str, float] = {}
_stack: list[list[Any]] = []
_real_import = builtins.__import__


def _absolute(name: str, globals_: dict[str, Any] | None, level: int) -> str:
    if not level:
        return name
    package = (globals_ or {}).get("__package__") or ""
    base = package.rsplit(".", level - 1)[0] if level > 1 else package
    return f"{base}.{name}" if name else base


def _tracking_import(
    name: str, globals_: Any = None, locals_: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    full = _absolute(name, globals_, level)
    key = full if full.startswith("veza") else full.split(".")[0]
    if key in sys.modules or key in costs:
        return _real_import(name, globals_, locals_, fromlist, level)
    costs[key] = 0.0
    _stack.append([key, rss_mib(), 0.0])
    try:
        return _real_import(name, globals_, locals_, fromlist, level)
    finally:
        key, started, nested = _stack.pop()
        grown = rss_mib() - started
        costs[key] += grown - nested
        if _stack:
            _stack[-1][2] += grown


class _WorkerStarted(Exception):
    pass


def _start_worker() -> None:
    import arq.worker

    def stand_in(*_: Any, **__: Any) -> None:
        raise _WorkerStarted

    arq.worker.run_worker = stand_in
    from veza.cli import app

    with tempfile.TemporaryDirectory(prefix="veza-imports-") as data:
        os.environ.update(VEZA_DATA_DIR=data, VEZA_REDIS_URL="redis://127.0.0.1:1/0")
        os.environ.setdefault("VEZA_LOG__LEVEL", "WARNING")
        try:
            app(["worker"], standalone_mode=False)
        except _WorkerStarted:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("entry", choices=("serve", "worker"))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    start = rss_mib()
    builtins.__import__ = _tracking_import
    began = time.perf_counter()
    if args.entry == "worker":
        _start_worker()
    else:
        for module in SERVE_MODULES:
            importlib.import_module(module)
    seconds = time.perf_counter() - began
    builtins.__import__ = _real_import
    total = rss_mib()
    print(
        f"{args.entry}: {total:.1f} MiB RSS after the imports (start {start:.1f}), "
        f"{len(sys.modules)} modules, {seconds:.2f} s"
    )
    for key, cost in sorted(costs.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{cost:6.1f} MiB  {key}")


if __name__ == "__main__":
    main()
