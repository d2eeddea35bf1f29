"""The application's CPU per hot read, in process: ``--requests`` GETs of a bench_api.py case,
``--concurrency`` at a time, through the ASGI app called directly (no HTTP client, no
server), on a copy of bench_api.py's seeded data; timed with ``time.process_time`` (the
figure that holds on a loaded machine, where requests/s do not). With ``--profile``, a
cProfile of the requests (internal time, top entries); with ``--tree``, pyinstrument's call
tree (installed apart). Each answer must be a 200.

    PYTHONPATH=src .venv/bin/python bench/profile_lane.py --data-dir /tmp/veza-hot-copy \
        --case tracks|playlist|user|search [--anonymous] [--requests 800] [--profile|--tree]

The data dir's bench.json names its database (PostgreSQL when seeded with --database-url).
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
from urllib.parse import quote_plus

from bench_api import SEARCH_QUERIES
from common import asgi_request, sampling_profiler, server_env

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.factories import access_token  # noqa: E402

from veza.app import create_app  # noqa: E402
from veza.config import Settings  # noqa: E402
from veza.models import User  # noqa: E402


def _paths(info: dict[str, Any]) -> dict[str, str]:
    return {
        "tracks": "/api/v1/tracks?limit=20",
        "playlist": f"/api/v1/playlists/{info['playlist']}",
        "user": f"/api/v1/users/{info['user']}",
        "search": "/api/v1/search?q={q}&limit=20",
    }


async def _call(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    route, _, query = path.partition("?")
    status, _ = await asgi_request(app, "GET", route, query.encode(), headers)
    return status


async def _run(args: argparse.Namespace) -> None:
    info = json.loads((args.data_dir / "bench.json").read_text())
    extra = {"VEZA_DATABASE_URL": info["database_url"]} if info["database_url"] else {}
    os.environ.update(server_env(args.data_dir, **extra))
    app = create_app(Settings())
    headers: list[tuple[bytes, bytes]] = []
    if not args.anonymous:
        from sqlalchemy import select

        async with app.state.db.reader() as session:
            viewer = await session.scalar(select(User).where(User.username == "viewer"))
        assert viewer is not None
        headers = [(b"authorization", f"Bearer {await access_token(app, viewer)}".encode())]
    # The search case cycles through bench_api.py's queries, one per request.
    paths = [_paths(info)[args.case].format(q=quote_plus(q)) for q in SEARCH_QUERIES]

    async def batch(count: int) -> None:
        for turn in range(count // args.concurrency):
            statuses = await asyncio.gather(
                *(
                    _call(app, paths[(turn + n) % len(paths)], headers)
                    for n in range(args.concurrency)
                )
            )
            assert set(statuses) == {200}, statuses

    await batch(args.concurrency * 20)  # warm up: the pool, the statement caches
    profile = cProfile.Profile() if args.profile else None
    tree = sampling_profiler() if args.tree else None
    started, cpu = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    if tree is not None:
        tree.start()
    await batch(args.requests)
    if tree is not None:
        tree.stop()
    if profile is not None:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    print(
        f"{args.case}{' anonymous' if args.anonymous else ' signed in'}: {args.requests} "
        f"requests, CPU {cpu / args.requests * 1000:.3f} ms a request, "
        f"wall {wall / args.requests * 1000:.3f} ms"
    )
    if profile is not None:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    if tree is not None:
        print(tree.output_text(unicode=False, color=False, show_all=False))
    await app.state.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--case", choices=("tracks", "playlist", "user", "search"), required=True)
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--tree", action="store_true", help="pyinstrument's call tree")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
