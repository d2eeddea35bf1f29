# ruff: noqa: E501  (a benchmark harness)
"""Where a suggestion's time goes, query by query, in process: the request through the ASGI
app (no server, no socket) against its SQL statements replayed alone on one connection, best
of ``--repeat`` each; the slowest requests and the sum. With ``--profile``, a cProfile of the
requests (internal time, top entries).

    PYTHONPATH=src .venv/bin/python bench/suggestion_costs.py --database-url sqlite+aiosqlite:////tmp/veza/veza.db [--data-dir /tmp/veza] [--profile tottime|cumulative]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import _settings, captured_sql, replay, suggestion_paths
from common import asgi_request

from veza.app import create_app
from veza.kit.db import create_null_pool_engine


async def _in_process(app: object, paths: list[str], repeat: int) -> list[float]:
    best = []
    for path in paths:
        parts = urlsplit(path)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            status, _body = await asgi_request(app, "GET", parts.path, parts.query.encode())
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
        best.append(min(timings))
    return best


async def _replayed(url: str, requests: list, repeat: int) -> list[float]:
    engine = create_null_pool_engine(url)
    best = []
    async with engine.connect() as connection:
        for statements in requests:
            best.append(min([await replay(connection, statements) for _ in range(repeat)]))
    await engine.dispose()
    return best


async def main(url: str, folder: Path, repeat: int, profile: str | None) -> None:
    settings = _settings(folder, url)
    paths = suggestion_paths()
    requests = await captured_sql(settings, paths)
    sql = await _replayed(url, requests, repeat)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await _in_process(app, paths, 1)  # warm
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
        own = await _in_process(app, paths, repeat)
        if profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats(profile).print_stats(60)
    rows = sorted(zip(own, sql, [len(r) for r in requests], paths, strict=True), reverse=True)
    for total, alone, count, path in rows[:12]:
        print(f"{total:6.2f} ms  sql {alone:5.2f}  {count} statements  {path}")
    print(f"sum in process {sum(own):.1f} ms, SQL alone {sum(sql):.1f} ms, {len(paths)} requests")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", choices=("tottime", "cumulative"))
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp())
    asyncio.run(main(args.database_url, folder, args.repeat, args.profile))
