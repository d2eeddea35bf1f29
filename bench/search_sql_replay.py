# ruff: noqa: E501  (the usage line)
"""The SQL of ``GET /api/v1/search`` (or the suggestions) replayed alone, query by query.

    PYTHONPATH=src python bench/search_sql_replay.py --database-url postgresql+asyncpg://postgres@127.0.0.1/veza_search_100k [--suggestions]
    PYTHONPATH=src python bench/search_sql_replay.py --database-url ... --path '/api/v1/search?q=metalica&limit=20'

On an already seeded database (bench/search_catalogue.py): each request's statements are
captured once from the app (bench_search's ``captured_sql``), then replayed alone on one
connection ``--repeat`` times; a query's figure is its best replay, which the machine's load
disturbs least. Reported: the median, p95, slowest and sum over the queries, and the slowest
queries. With ``--path``, one request's statements, each timed alone (best of ``--repeat``)
with its start. Comparing two versions of the code means running it twice on the same database
with ``PYTHONPATH`` pointing at each.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import (
    _settings,
    captured_sql,
    percentile,
    replay,
    search_paths,
    suggestion_paths,
)

from veza.kit.db import create_null_pool_engine


async def best_replays(url: str, requests: list[list[tuple[str, Any]]], repeat: int) -> list[float]:
    engine = create_null_pool_engine(url)
    best: list[float] = []
    async with engine.connect() as connection:
        for statements in requests:
            best.append(min([await replay(connection, statements) for _ in range(repeat)]))
    await engine.dispose()
    return best


async def statement_timings(url: str, statements: list[tuple[str, Any]], repeat: int) -> None:
    engine = create_null_pool_engine(url)
    async with engine.connect() as connection:
        for statement, parameters in statements:
            best = min([await replay(connection, [(statement, parameters)]) for _ in range(repeat)])
            print(f"  {best:6.2f} ms  {' '.join(statement.split())[:150]}")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--suggestions", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--path", default="", help="one request: its statements one by one")
    args = parser.parse_args()
    paths = suggestion_paths() if args.suggestions else search_paths()
    settings = _settings(Path(tempfile.mkdtemp(prefix="veza-replay-")), args.database_url)
    if args.path:
        (statements,) = asyncio.run(captured_sql(settings, [args.path]))
        asyncio.run(statement_timings(args.database_url, statements, args.repeat))
        return
    requests = asyncio.run(captured_sql(settings, paths))
    best = asyncio.run(best_replays(args.database_url, requests, args.repeat))
    ordered = sorted(best)
    print(
        f"{len(best)} requests, best of {args.repeat}: median {statistics.median(best):.1f} ms, "
        f"p95 {percentile(best, 0.95):.1f}, slowest {ordered[-1]:.1f}, sum {sum(best):.0f}"
    )
    for timing, path in sorted(zip(best, paths, strict=True))[-6:]:
        print(f"  {timing:6.1f} ms  {path}")


if __name__ == "__main__":
    main()
