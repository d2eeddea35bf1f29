# ruff: noqa: S108, S603, E501  (a benchmark harness)
"""Hot reads against their baseline in the same run: GET /tracks?limit=20 (anonymous and
signed in), GET /tracks/{id} and GET /users/{id}, one uvicorn process each, 64 keep-alive
clients (raw asyncio sockets), the baseline bench/api_baseline.py (Starlette, the best SQL
through the same driver, orjson). Rounds alternate endpoint and baseline; each reports
requests/s, p50 and p99, and the ratio endpoint / baseline of requests/s.

    PYTHONPATH=src .venv/bin/python bench/bench_api.py seed --tracks 100000 --data-dir /tmp/veza-api
    PYTHONPATH=src .venv/bin/python bench/bench_api.py run --data-dir /tmp/veza-api [--rounds 3] [--seconds 8]

On PostgreSQL, add --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/veza_bench to
both (the database must exist and be empty).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import JWT_SECRET, free_port, read_response, server_env, veza_server, wait_port
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.factories import access_token, create_user  # noqa: E402

from veza.app import create_app  # noqa: E402
from veza.config import Settings  # noqa: E402
from veza.kit.migrations import upgrade_to_head  # noqa: E402
from veza.models import User  # noqa: E402
from veza.models.track import TRACK_COMPLETED, Track  # noqa: E402

CHUNK = 5000
GENRES = ("rock", "jazz", "electronic", "hip-hop", "classical", "folk")


def _settings(data_dir: Path, database_url: str) -> Settings:
    os.environ.update(
        server_env(data_dir, **({"VEZA_DATABASE_URL": database_url} if database_url else {}))
    )
    return Settings()


async def seed(data_dir: Path, database_url: str, tracks: int, users: int) -> None:
    """Bulk inserts (5,000 rows a statement): ``users`` creators, ``tracks`` public completed
    tracks spread over them and over a year, and the signed-in viewer with a login session."""
    app = create_app(_settings(data_dir, database_url))
    started = time.perf_counter()
    viewer = await create_user(app, username="viewer", email="viewer@example.com")
    token = await access_token(app, viewer)
    creators = [uuid.uuid4() for _ in range(users)]
    rows = [
        {
            "id": c,
            "email": f"c{i}@example.com",
            "username": f"creator{i}",
            "password_hash": "x",
            "is_verified": True,
        }
        for i, c in enumerate(creators)
    ]
    rng = random.Random(7)
    now = datetime.now(UTC)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(insert(User), rows)
    for start in range(0, tracks, CHUNK):
        batch = [
            {
                "id": uuid.uuid4(),
                "creator_id": creators[n % users],
                "title": f"Track {n}",
                "artist": f"Artist {n % users}",
                "genre": GENRES[n % len(GENRES)],
                "duration": 120 + n % 240,
                "format": "mp3",
                "file_size": 4_000_000,
                "status": TRACK_COMPLETED,
                "is_public": True,
                "play_count": rng.randrange(10_000),
                "created_at": now - timedelta(seconds=rng.randrange(365 * 86400)),
            }
            for n in range(start, min(tracks, start + CHUNK))
        ]
        async with app.state.db.writer() as session, session.begin():
            await session.execute(insert(Track), batch)
    if database_url.startswith("postgresql"):
        # What autovacuum would do after a bulk load: without statistics the planner takes the
        # fresh table for empty and reads a track by id through the status index.
        async with app.state.db.engine.connect() as connection:
            await connection.exec_driver_sql("ANALYZE")
    await app.state.db.dispose()
    some = str(rows[0]["id"])
    (data_dir / "bench.json").write_text(
        json.dumps({"token": token, "user": some, "database_url": database_url})
    )
    print(f"seeded {tracks} tracks of {users} users in {time.perf_counter() - started:.1f} s")


async def load(
    port: int, paths: list[str], headers: str, clients: int, seconds: float
) -> tuple[float, float, float]:
    """``clients`` keep-alive connections asking for ``paths`` in turn; (requests/s, p50 ms, p99 ms)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client(offset: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
        n = offset
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            sent = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{headers}\r\n".encode())
            status, _, _ = await read_response(reader)
            if status != 200:
                raise RuntimeError(f"{path}: status {status}")
            latencies.append(time.perf_counter() - sent)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return (
        len(latencies) / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
    )


def _cases(info: dict[str, Any], track_ids: list[str]) -> dict[str, tuple[list[str], str]]:
    bearer = f"Authorization: Bearer {info['token']}\r\n"
    return {
        "GET /tracks?limit=20": (["/api/v1/tracks?limit=20"], ""),
        "GET /tracks?limit=20 signed in": (["/api/v1/tracks?limit=20"], bearer),
        "GET /tracks/{id}": ([f"/api/v1/tracks/{t}" for t in track_ids], ""),
        "GET /users/{id}": ([f"/api/v1/users/{info['user']}"], ""),
    }


async def _track_ids(port: int) -> list[str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /api/v1/tracks?limit=100 HTTP/1.1\r\nHost: bench\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    body = json.loads(await reader.readexactly(length))
    writer.close()
    return [t["id"] for t in body["data"]["tracks"]]


async def measure(
    port: int, case: tuple[list[str], str], clients: int, seconds: float
) -> tuple[float, float, float]:
    await load(port, *case, clients=8, seconds=1.0)  # warm up (pool, caches)
    return await load(port, *case, clients=clients, seconds=seconds)


async def fresh_token(data_dir: Path, database_url: str) -> str:
    """An access token of the seeded viewer, minted now (they expire in minutes)."""
    from sqlalchemy import select

    app = create_app(_settings(data_dir, database_url))
    async with app.state.db.reader() as session:
        viewer = await session.scalar(select(User).where(User.username == "viewer"))
    assert viewer is not None
    token = await access_token(app, viewer)
    await app.state.db.dispose()
    return token


def run(data_dir: Path, rounds: int, seconds: float, clients: int, only: str | None) -> None:
    info = json.loads((data_dir / "bench.json").read_text())
    info["token"] = asyncio.run(fresh_token(data_dir, info["database_url"]))
    database_url = info["database_url"] or f"sqlite+aiosqlite:///{data_dir / 'veza.db'}"
    extra = {"VEZA_DATABASE_URL": database_url} if info["database_url"] else {}
    results: dict[str, list[tuple[tuple[float, float, float], tuple[float, float, float]]]] = {}
    for _ in range(rounds):
        port = free_port()
        with veza_server(data_dir, port, **extra):
            track_ids = asyncio.run(_track_ids(port))
            cases = {k: v for k, v in _cases(info, track_ids).items() if not only or only in k}
            ours = {
                name: asyncio.run(measure(port, case, clients, seconds))
                for name, case in cases.items()
            }
        port = free_port()
        env = server_env(data_dir, BENCH_DATABASE_URL=database_url, BENCH_JWT_SECRET=JWT_SECRET)
        command = [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "api_baseline:app",
            "--app-dir",
            str(ROOT / "bench"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        import subprocess

        baseline = subprocess.Popen(command, env=env)
        try:
            wait_port(port)
            theirs = {
                name: asyncio.run(measure(port, case, clients, seconds))
                for name, case in cases.items()
            }
        finally:
            baseline.terminate()
            baseline.wait(10)
        for name in cases:
            results.setdefault(name, []).append((ours[name], theirs[name]))
    print(
        f"{'case':32} {'veza r/s':>9} {'p50':>7} {'p99':>7} {'base r/s':>9} {'p50':>7} {'p99':>7} {'ratio':>6}"
    )
    for name, runs in results.items():
        for o, b in runs:
            print(
                f"{name:32} {o[0]:9.0f} {o[1]:7.1f} {o[2]:7.1f} {b[0]:9.0f} {b[1]:7.1f} {b[2]:7.1f} {o[0] / b[0]:6.2f}"
            )
        ratios = [o[0] / b[0] for o, b in runs]
        print(
            f"{name:32} ratio median {statistics.median(ratios):.2f}, spread {min(ratios):.2f}-{max(ratios):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("seed", "run"))
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/veza-bench-api"))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--only", default=None, help="run the cases whose name contains this")
    args = parser.parse_args()
    if args.command == "seed":
        args.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade_to_head(_settings(args.data_dir, args.database_url))
        asyncio.run(seed(args.data_dir, args.database_url, args.tracks, args.users))
    else:
        run(args.data_dir, args.rounds, args.seconds, args.clients, args.only)


if __name__ == "__main__":
    main()
