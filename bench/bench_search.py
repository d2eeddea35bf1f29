# ruff: noqa: S603, E501  (a benchmark harness: fixed local commands)
"""Search latency: ``GET /api/v1/search`` and ``/search/suggestions`` against the raw SQL they run.

    PYTHONPATH=src python bench/bench_search.py --sizes 10000,100000 [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
    PYTHONPATH=src python bench/bench_search.py --seeded postgresql+asyncpg://postgres@127.0.0.1:5432/veza_search_100k

For each database and catalogue size: a fresh database seeded with the Chinook catalogue
replicated to that many tracks (bench/search_catalogue.py), then

1. the baseline: each request's SQL statements, captured once from the app, replayed alone on
   one connection of the same driver (``exec_driver_sql``), timed per request;
2. the endpoint: one uvicorn process (uvloop, httptools, like ``veza serve``), anonymous
   requests sent one at a time from a plain asyncio socket client.

The queries are the relevance set's (bench/search_relevance.py); suggestions use their first
word or first letters (what a search bar sends while one types). Reported: p50 and p95 in ms,
and the ratio of the endpoint's p95 to the baseline's; beside it, GET /health through the same
client and server (no SQL): the fixed cost of a request, which the raw SQL does not pay.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, server_env, wait_port
from search_catalogue import seed
from search_relevance import CASES

from veza.app import create_app
from veza.config import AuthSettings, LogSettings, Settings
from veza.kit.db import create_null_pool_engine

ROUNDS = 3


def search_paths() -> list[str]:
    return ["/api/v1/search?" + urlencode({"q": case.query, "limit": 20}) for case in CASES]


def suggestion_paths() -> list[str]:
    paths = []
    for case in CASES:
        first = case.query.split()[0]
        for typed in {first[: max(2, len(first) // 2)], case.query}:
            paths.append("/api/v1/search/suggestions?" + urlencode({"q": typed}))
    return paths


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _settings(folder: Path, url: str) -> Settings:
    return Settings(
        data_dir=folder,
        database_url=url,
        env="production",
        auth=AuthSettings(jwt_secret="bench-secret-" + "x" * 64),
        log=LogSettings(level="WARNING"),
    )


async def captured_sql(settings: Settings, paths: list[str]) -> list[list[tuple[str, Any]]]:
    """The SQL statements each request runs, as the driver receives them."""
    app = create_app(settings)
    statements: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(app.state.db.engine.sync_engine, "before_cursor_execute", record)
    per_request = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for path in paths:
            statements.clear()
            (await client.get(path)).raise_for_status()
            per_request.append(
                [
                    (s, p)
                    for s, p in statements
                    if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))
                ]
            )
    await app.state.db.dispose()
    return per_request


async def baseline(url: str, requests: list[list[tuple[str, Any]]]) -> list[float]:
    """Milliseconds of each request's statements replayed alone, ROUNDS times."""
    engine = create_null_pool_engine(url)
    timings: list[float] = []
    async with engine.connect() as connection:
        for _ in range(ROUNDS):
            for statements in requests:
                timings.append(await replay(connection, statements))
    await engine.dispose()
    return timings


async def replay(connection: Any, statements: list[tuple[str, Any]]) -> float:
    """Milliseconds of one request's statements run on ``connection``, results fetched."""
    started = time.perf_counter()
    for statement, parameters in statements:
        result = await connection.exec_driver_sql(statement, parameters)
        if result.returns_rows:
            result.fetchall()
    elapsed = (time.perf_counter() - started) * 1000
    await connection.rollback()
    return elapsed


async def _get(port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    await reader.read()
    writer.close()
    return int(head.split()[1])


async def endpoint(port: int, paths: list[str]) -> list[float]:
    timings = []
    for _ in range(ROUNDS):
        for path in paths:
            started = time.perf_counter()
            status = await _get(port, path)
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
    return timings


def serve(folder: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "veza.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = server_env(folder, VEZA_DATABASE_URL=url)
    process = subprocess.Popen(command, env=env)
    wait_port(port)
    return process


async def _admin(server: str, statement: str) -> None:
    engine = create_null_pool_engine(server)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(statement))
    await engine.dispose()


def run(url: str, size: int, folder: Path) -> dict[str, dict[str, float]]:
    started = time.perf_counter()
    rate = asyncio.run(seed(url, size, folder))
    print(
        f"  seeded {size:,} tracks in {time.perf_counter() - started:.0f} s ({rate:,.0f} rows/s)",
        flush=True,
    )
    return measure(url, folder)


def measure(url: str, folder: Path) -> dict[str, dict[str, float]]:
    """The baseline and the endpoint on an already seeded database."""
    settings = _settings(folder, url)
    results: dict[str, dict[str, float]] = {}
    for name, paths in (("search", search_paths()), ("suggestions", suggestion_paths())):
        requests = asyncio.run(captured_sql(settings, paths))
        base = asyncio.run(baseline(url, requests))
        port = free_port()
        process = serve(folder, url, port)
        try:
            asyncio.run(endpoint(port, paths[:5]))  # warm-up
            measured = asyncio.run(endpoint(port, paths))
            floor = asyncio.run(endpoint(port, ["/health"] * 60))
        finally:
            process.terminate()
            process.wait(10)
        results[name] = {
            "p50": statistics.median(measured),
            "p95": percentile(measured, 0.95),
            "base_p50": statistics.median(base),
            "base_p95": percentile(base, 0.95),
            "floor_p50": statistics.median(floor),
            "floor_p95": percentile(floor, 0.95),
        }
        r = results[name]
        print(
            f"  /{name}: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms; raw SQL p50 "
            f"{r['base_p50']:.1f} ms, p95 {r['base_p95']:.1f} ms; p95 ratio {r['p95'] / r['base_p95']:.2f}x; "
            f"GET /health (no SQL) p50 {r['floor_p50']:.1f}, p95 {r['floor_p95']:.1f} ms",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--postgres", default="", help="a server URL; its database is not touched")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--seeded",
        default="",
        help="measure this database, already seeded by search_catalogue.py, and nothing else "
        "(comparing two versions of the code on the same rows: PYTHONPATH at each)",
    )
    args = parser.parse_args()
    if args.seeded:
        print(f"{args.seeded.split('/')[-1]}, already seeded", flush=True)
        measure(args.seeded, Path(tempfile.mkdtemp(prefix="veza-bench-search-")))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        if not args.skip_sqlite:
            folder = Path(tempfile.mkdtemp(prefix="veza-bench-search-"))
            print(f"sqlite, {size:,} tracks (Chinook replicated)", flush=True)
            run(f"sqlite+aiosqlite:///{folder / 'veza.db'}", size, folder)
        if args.postgres:
            name = f"veza_bench_search_{uuid.uuid4().hex[:8]}"
            asyncio.run(_admin(args.postgres, f'CREATE DATABASE "{name}"'))
            # The SSD setting docs/OPERATIONS.md recommends (the default 4 is for spinning disks).
            asyncio.run(
                _admin(args.postgres, f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
            )
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            try:
                print(f"postgresql, {size:,} tracks (Chinook replicated)", flush=True)
                run(url, size, Path(tempfile.mkdtemp(prefix="veza-bench-search-")))
            finally:
                asyncio.run(_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
