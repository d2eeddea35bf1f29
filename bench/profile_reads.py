"""The application's CPU per hot read, in process: ``--requests`` anonymous GETs of one of
bench_api.py's read cases, ``--concurrency`` at a time, through the ASGI app called directly
(no HTTP client, no server), on the data of ``bench_api.py seed`` (a copy: the app may write
to it), timed with the event loop thread's CPU (``time.thread_time``; aiosqlite's thread is
not counted). With ``--profile``, a cProfile of the requests is printed: self time by package,
then the top entries.

    PYTHONPATH=src .venv/bin/python bench/profile_reads.py --data-dir /tmp/veza-hot-api-copy \
        --case track [--requests 2000] [--concurrency 8] [--profile] [--sort tottime]

With ``--pyinstrument`` (if installed), its sampled call tree instead.

``--case``: ``tracks`` (GET /tracks?limit=20), ``track`` (GET /tracks/{id}, over the first
page's 100 tracks), ``user`` (GET /users/{id}, the bench's viewer).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from common import asgi_request, print_self_time_by_package, sampling_profiler, server_env

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def _get(app: Any, path: str, query: bytes = b"") -> tuple[int, bytes]:
    """One anonymous GET through the ASGI interface: its status and body."""
    return await asgi_request(app, "GET", path, query)


async def _paths(app: Any, case: str, info: dict[str, Any]) -> list[tuple[str, bytes]]:
    if case == "tracks":
        return [("/api/v1/tracks", b"limit=20")]
    if case == "user":
        return [(f"/api/v1/users/{info['user']}", b"")]
    status, body = await _get(app, "/api/v1/tracks", b"limit=100")
    assert status == 200, body
    return [(f"/api/v1/tracks/{t['id']}", b"") for t in json.loads(body)["data"]["tracks"]]


async def run(args: argparse.Namespace) -> None:
    from veza.app import create_app

    info = json.loads((args.data_dir / "bench.json").read_text())
    app = create_app()
    paths = await _paths(app, args.case, info)

    async def worker(offset: int, count: int) -> None:
        for i in range(count):
            path, query = paths[(offset + i) % len(paths)]
            status, body = await _get(app, path, query)
            assert status == 200, body

    per_worker = args.requests // args.concurrency
    await asyncio.gather(*(worker(w, 50) for w in range(args.concurrency)))  # warm-up
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    sampler = sampling_profiler() if args.pyinstrument else None
    started = time.thread_time()
    wall = time.perf_counter()
    if profiler:
        profiler.enable()
    if sampler:
        sampler.start()
    await asyncio.gather(*(worker(w * 7, per_worker) for w in range(args.concurrency)))
    if sampler:
        sampler.stop()
    if profiler:
        profiler.disable()
    done = per_worker * args.concurrency
    cpu = (time.thread_time() - started) / done
    elapsed = time.perf_counter() - wall
    await app.state.db.dispose()
    print(
        f"{done} requests of {args.case}: {cpu * 1000:.3f} ms of the event loop's CPU per "
        f"request, {done / elapsed:.0f} requests/s" + (" (under cProfile)" if profiler else "")
    )
    if sampler:
        print(
            sampler.output_text(
                unicode=False, color=False, show_all=bool(os.environ.get("PYI_ALL"))
            )
        )
    if profiler:
        stats = pstats.Stats(profiler)
        print_self_time_by_package(stats, done, "request")
        stats.sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--case", choices=("tracks", "track", "user"), required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    info = json.loads((args.data_dir / "bench.json").read_text())
    extra = {"VEZA_DATABASE_URL": info["database_url"]} if info["database_url"] else {}
    os.environ.update(server_env(args.data_dir, **extra))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
