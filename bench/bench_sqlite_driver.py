# ruff: noqa: E501  (a benchmark harness)
"""SQLAlchemy's stock aiosqlite adapter against kit/sqlite_driver.py's, in the same run.

Two cases on a 1,000-row table in a fresh SQLite file (WAL and the connect-time pragmas and
BEGIN events of kit/db.py on both engines, a pool of 10), rounds alternating the adapters:

- "held connection": one task, one connection, a one-row SELECT by primary key again and
  again (statements/s).
- "read per checkout": as a GET in the read lane, 16 tasks each checking a connection out,
  running the one-row SELECT with no BEGIN (kit/db's lazy begin) and handing it back
  (reads/s).

Each case also prints its round trips to aiosqlite's thread (tests/kit/sqlite_round_trips.py
counts them).

    PYTHONPATH=src .venv/bin/python bench/bench_sqlite_driver.py [--rounds 3] [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.kit.sqlite_round_trips import watch  # noqa: E402

from veza.kit import db  # noqa: E402
from veza.kit.sqlite_driver import one_hop_dbapi  # noqa: E402

ONE_ROW = text("SELECT id, title, n FROM probe WHERE id = :id")
ROWS = 1000
CLIENTS = 16
ADAPTERS = ("stock", "one hop")


def make_engine(url: str, adapter: str) -> AsyncEngine:
    driver = {"module": one_hop_dbapi()} if adapter == "one hop" else {}
    engine = create_async_engine(url, pool_size=10, max_overflow=0, **driver)
    db._configure_sqlite(engine, 5000)
    return engine


def lazy(engine: AsyncEngine) -> AsyncEngine:
    return engine.execution_options(**{db._LAZY_BEGIN: True})


async def seed(url: str) -> None:
    engine = make_engine(url, "stock")
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE probe (id INTEGER PRIMARY KEY, title TEXT, n INTEGER)")
        )
        await connection.execute(
            text("INSERT INTO probe (id, title, n) VALUES (:id, :title, :n)"),
            [{"id": i, "title": f"track {i}", "n": i * 7} for i in range(1, ROWS + 1)],
        )
    await engine.dispose()


async def timed(seconds: float, tasks: int, one: Callable[[int], Awaitable[Any]]) -> float:
    """Operations per second of ``tasks`` tasks each calling ``one`` for ``seconds``."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal done
        i = offset
        while time.perf_counter() < deadline:
            await one(i % ROWS + 1)
            i += 7
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(tasks)))
    return done / (time.perf_counter() - started)


async def held_connection(engine: AsyncEngine, seconds: float) -> tuple[float, float]:
    async with lazy(engine).connect() as connection:
        trips = await watch(connection)
        for i in range(1, 101):
            await connection.execute(ONE_ROW, {"id": i})
        per_statement = trips.taken() / 100

        async def one(row_id: int) -> None:
            (await connection.execute(ONE_ROW, {"id": row_id})).one()

        return await timed(seconds, 1, one), per_statement


async def read_per_checkout(engine: AsyncEngine, seconds: float) -> tuple[float, float]:
    reads = lazy(engine)
    taken = 0
    for i in range(1, 21):  # each read's round trips, the pool's rollback at its return included
        async with reads.connect() as connection:
            trips = await watch(connection)
            (await connection.execute(ONE_ROW, {"id": i})).one()
        taken += trips.taken()
    per_read = taken / 20

    async def one(row_id: int) -> None:
        async with reads.connect() as connection:
            (await connection.execute(ONE_ROW, {"id": row_id})).one()

    return await timed(seconds, CLIENTS, one), per_read


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="veza-sqlite-driver-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await seed(url)
    cases = {"held connection": held_connection, "read per checkout": read_per_checkout}
    rates: dict[tuple[str, str], list[float]] = {}
    trips: dict[tuple[str, str], float] = {}
    for round_number in range(1, args.rounds + 1):
        for adapter in ADAPTERS if round_number % 2 else reversed(ADAPTERS):
            engine = make_engine(url, adapter)
            for case, run in cases.items():
                rate, per = await run(engine, args.seconds)
                rates.setdefault((case, adapter), []).append(rate)
                trips[(case, adapter)] = per
            await engine.dispose()
    print(f"{'case':20} {'adapter':8} {'ops/s (rounds)':>34} {'round trips':>12}")
    for case in cases:
        for adapter in ADAPTERS:
            runs = rates[(case, adapter)]
            listed = ", ".join(f"{r:.0f}" for r in runs)
            print(f"{case:20} {adapter:8} {listed:>34} {trips[(case, adapter)]:12.2f}")
        ratios = [
            mine / stock
            for mine, stock in zip(rates[(case, "one hop")], rates[(case, "stock")], strict=True)
        ]
        print(
            f"{case:20} one hop / stock: median {statistics.median(ratios):.2f}, spread {min(ratios):.2f}-{max(ratios):.2f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
