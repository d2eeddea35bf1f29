# ruff: noqa: S603, E501  (a benchmark harness: fixed local commands)
"""Soak: one `veza serve` process under a fixed-rate mixed workload for minutes, its resident
memory sampled all along.

    .venv/bin/python bench/soak.py                       # 10 minutes, 10 + 5 fuzz actions/s
    .venv/bin/python bench/soak.py --minutes 3 --rate 0 --fuzz-rate 40 --tracemalloc
    .venv/bin/python bench/soak.py --database-url postgresql+asyncpg://.../<empty database>

The catalogue is seeded (2,000 tracks of 50 users in bulk, as bench/bench_api.py does, and a
few small WAVs uploaded through the API and processed in the server's process); then actions
start at a fixed rate, each a few requests on a keep-alive connection (bench/soak_traffic.py):
browse, search, like/unlike, comment, Range GETs of a stream, queue and playlist edits and
small uploads (deleted again once processed, so the catalogue stays the same size), plus
``--fuzz-rate`` actions/s of fuzz and attack traffic (random paths, query strings, ids,
tokens, failed logins for random addresses from random client addresses).

Reported: errors (answers that are neither 2xx nor an expected refusal, and broken
connections; the target is 0), p50/p99 by endpoint, RSS every ``--sample-seconds`` and the
verdict: flat after warm-up when RSS grew by at most ``--flat-mib`` between the end of the
warm-up and the end. With ``--tracemalloc`` the server runs under tracemalloc and the
allocations that grew between the end of the warm-up and the end are listed (the server is
slower then: lower the rates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import soak_traffic
from common import (
    VENV_BIN,
    Connection,
    free_port,
    make_wav,
    rss_mib,
    server_env,
    upload_file,
    wait_port,
    wait_processed,
)
from soak_traffic import API, PASSWORD, Action, Recorder, World

SERVER_ENV = {
    # The workload comments faster than one person would; the limit itself is not measured.
    "VEZA_COMMENTS__POSTS_PER_USER": "100000 per minute",
}
MAX_IN_FLIGHT = 256

# The server under tracemalloc: SIGUSR1 writes a snapshot, numbered from 1.
TRACED_SERVER = """
import gc, os, signal, sys, tracemalloc
folder, frames, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tracemalloc.start(frames)
taken = [0]
def snapshot(*_):
    gc.collect()
    taken[0] += 1
    path = os.path.join(folder, f"snapshot-{taken[0]}")
    tracemalloc.take_snapshot().dump(path + ".tmp")
    os.replace(path + ".tmp", path)
signal.signal(signal.SIGUSR1, snapshot)
sys.argv = ["veza", "serve", "--port", port]
from veza.cli import app
app()
"""


def seed(data: Path, tracks: int, users: int, database_url: str) -> None:
    from bench_api import _settings
    from bench_api import seed as bulk_seed

    from veza.kit.migrations import upgrade_to_head

    upgrade_to_head(_settings(data, database_url))
    asyncio.run(bulk_seed(data, database_url, tracks, users))


def start_server(
    data: Path, port: int, traced: Path | None, extra: list[str]
) -> subprocess.Popen[bytes]:
    env = server_env(data, **SERVER_ENV, **dict(item.split("=", 1) for item in extra))
    if traced is None:
        command = [str(VENV_BIN / "veza"), "serve", "--port", str(port)]
    else:
        command = [str(VENV_BIN / "python"), "-c", TRACED_SERVER, str(traced), "8", str(port)]
    process = subprocess.Popen(command, env=env)
    wait_port(port, timeout=120)
    return process


async def login(port: int) -> tuple[str, str]:
    body = json.dumps({"email": "viewer@example.com", "password": PASSWORD}).encode()
    connection = Connection(port)
    status, _, answer = await connection.request(
        "POST", f"{API}/auth/login", body=body, headers="Content-Type: application/json\r\n"
    )
    connection.close()
    assert status == 200, answer
    data = json.loads(answer)  # the contract's login answer has no envelope
    return data["token"]["access_token"], data["user"]["id"]


async def prepare_world(port: int, root: Path, uploads: int) -> World:
    token, viewer = await login(port)
    sample = root / "sample.wav"
    make_wav(sample, 1)
    playable = []
    for n in range(uploads):
        status, body, _ = await upload_file(port, token, sample, f"soak seed {n}.wav")
        assert status == 201, body
        playable.append(json.loads(body)["data"]["track"]["id"])
    for track in playable:
        assert await wait_processed(port, track, token) == "completed", track
    connection = Connection(port)
    _, _, listing = await connection.request("GET", f"{API}/tracks?limit=100")
    tracks = json.loads(listing)["data"]["tracks"]
    creators = sorted({t["creator_id"] for t in tracks if t.get("creator_id")})
    bearer = f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    status, _, made = await connection.request(
        "POST", f"{API}/playlists", body=b'{"title": "soak"}', headers=bearer
    )
    assert status == 201, made
    connection.close()
    return World(
        port=port,
        token=token,
        viewer_id=viewer,
        user_ids=[viewer, *creators],
        catalogue=[t["id"] for t in tracks] + playable,
        playable=playable,
        playlist_id=json.loads(made)["data"]["playlist"]["id"],
        sample=sample,
    )


class Pool:
    """Idle keep-alive connections, shared by the actions (one per action at a time)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[Connection] = []

    def take(self) -> Connection:
        return self.idle.pop() if self.idle else Connection(self.port)

    def give(self, connection: Connection) -> None:
        self.idle.append(connection)


async def drive(
    world: World,
    recorder: Recorder,
    pool: Pool,
    mix: tuple[tuple[Action, float], ...],
    rate: float,
    seconds: float,
    seed_value: int,
) -> int:
    """Start ``rate`` actions a second for ``seconds`` (open loop: a slow answer does not slow
    the schedule); returns how many were skipped because MAX_IN_FLIGHT were still running."""
    if rate <= 0:
        await asyncio.sleep(seconds)
        return 0
    rng = random.Random(seed_value)
    actions, weights = zip(*mix, strict=True)
    running: set[asyncio.Task[None]] = set()
    skipped = 0

    async def run(action: Action) -> None:
        connection = pool.take()
        try:
            await action(world, recorder, connection, rng)
        finally:
            pool.give(connection)

    started = time.monotonic()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(running) >= MAX_IN_FLIGHT:
            skipped += 1
            continue
        task = asyncio.create_task(run(rng.choices(actions, weights)[0]))
        running.add(task)
        task.add_done_callback(running.discard)
    await asyncio.gather(*running)
    return skipped


async def keep_signed_in(world: World, recorder: Recorder, seconds: float) -> None:
    """A fresh access token every 5 minutes (they last 15)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() + 300 < deadline:
        await asyncio.sleep(300)
        sent = time.perf_counter()
        world.token, _ = await login(world.port)
        recorder.latencies["POST /auth/login"].append(time.perf_counter() - sent)


async def sample_rss(
    pid: int, every: float, seconds: float, table: list[tuple[float, float]]
) -> None:
    started = time.monotonic()
    while True:
        table.append((time.monotonic() - started, rss_mib(pid)))
        if time.monotonic() - started >= seconds:
            return
        await asyncio.sleep(min(every, max(0.0, seconds - (time.monotonic() - started))))


def snapshot(process: subprocess.Popen[bytes], folder: Path, number: int) -> tracemalloc.Snapshot:
    process.send_signal(signal.SIGUSR1)
    path = folder / f"snapshot-{number}"
    deadline = time.monotonic() + 300
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.5)
    return tracemalloc.Snapshot.load(str(path))


async def soak(
    world: World, pid: int, args: argparse.Namespace, on_warm: object
) -> tuple[Recorder, list[tuple[float, float]], int]:
    recorder = Recorder()
    pool = Pool(world.port)
    seconds = args.minutes * 60
    table: list[tuple[float, float]] = []
    warm = min(args.warmup_minutes * 60, seconds / 2)

    async def warm_mark() -> None:
        await asyncio.sleep(warm)
        await asyncio.to_thread(on_warm)  # type: ignore[arg-type]

    results = await asyncio.gather(
        drive(world, recorder, pool, _mix(args.without), args.rate, seconds, 1),
        drive(world, recorder, pool, soak_traffic.FUZZ, args.fuzz_rate, seconds, 2),
        keep_signed_in(world, recorder, seconds),
        sample_rss(pid, args.sample_seconds, seconds, table),
        warm_mark(),
    )
    for connection in pool.idle:
        connection.close()
    return recorder, table, int(results[0]) + int(results[1])


def _mix(without: list[str]) -> tuple[tuple[Action, float], ...]:
    return tuple(
        (action, weight) for action, weight in soak_traffic.MIXED if action.__name__ not in without
    )


def report(
    recorder: Recorder, table: list[tuple[float, float]], skipped: int, args: argparse.Namespace
) -> None:
    print(f"\n{'endpoint':40} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for label, values in sorted(recorder.latencies.items()):
        values.sort()
        p50, p99 = values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"{label:40} {len(values):9} {p50 * 1000:8.1f} {p99 * 1000:8.1f}")
    refused = sum(recorder.refusals.values())
    print(
        f"\nexpected refusals: {refused}  "
        + ", ".join(
            f"{label} {status}: {n}" for (label, status), n in sorted(recorder.refusals.items())
        )
    )
    errors = sum(recorder.errors.values())
    print(f"errors: {errors} (target 0); actions skipped with {MAX_IN_FLIGHT} in flight: {skipped}")
    for key, n in sorted(recorder.errors.items()):
        print(f"  {key[0]} -> {key[1]}: {n}, e.g. {recorder.error_samples[key]}")
    print(f"\n{'minute':>7} {'RSS MiB':>8}")
    for elapsed, mib in table:
        print(f"{elapsed / 60:7.1f} {mib:8.1f}")
    warm = min(args.warmup_minutes * 60, args.minutes * 30)
    after = [(t, m) for t, m in table if t >= warm]
    growth = after[-1][1] - after[0][1]
    slope = _slope(after) * 60
    verdict = "flat after warm-up" if growth <= args.flat_mib else "GROWING"
    print(
        f"\nRSS {table[0][1]:.0f} MiB at start, {after[0][1]:.0f} at minute {after[0][0] / 60:.1f} (end of warm-up), "
        f"{after[-1][1]:.0f} at the end: {growth:+.1f} MiB after warm-up ({slope:+.2f} MiB/min fitted): {verdict}"
        f" (threshold {args.flat_mib} MiB); load average {os.getloadavg()[0]:.2f}"
    )


def _slope(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return (
        sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
        if spread
        else 0.0
    )


def growth_report(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int) -> None:
    """The allocation sites that grew most between the two snapshots, with their callers."""
    ignored = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
    ]
    before, after = before.filter_traces(ignored), after.filter_traces(ignored)
    total = sum(s.size for s in after.statistics("filename")) - sum(
        s.size for s in before.statistics("filename")
    )
    print(
        f"\ntracemalloc: traced memory grew by {total / 1024:.0f} KiB after warm-up; the sites that grew most:"
    )
    for stat in after.compare_to(before, "traceback")[:top]:
        print(f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+8d} blocks")
        for frame in list(stat.traceback)[-4:]:
            print(
                f"        {frame.filename.split('site-packages/')[-1].split('/src/')[-1]}:{frame.lineno}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--rate", type=float, default=10, help="mixed-workload actions started per second"
    )
    parser.add_argument(
        "--fuzz-rate", type=float, default=5, help="fuzz and attack actions per second"
    )
    parser.add_argument("--sample-seconds", type=float, default=30)
    parser.add_argument("--warmup-minutes", type=float, default=2)
    parser.add_argument("--flat-mib", type=float, default=10)
    parser.add_argument("--tracks", type=int, default=2000)
    parser.add_argument(
        "--database-url", default="", help="an empty PostgreSQL database (default: SQLite)"
    )
    parser.add_argument(
        "--uploads", type=int, default=4, help="tracks uploaded and processed before the run"
    )
    parser.add_argument("--tracemalloc", action="store_true", help="list what grew after warm-up")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="more environment for the server (a variant to compare)",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="ACTION",
        help="leave an action of the mix out (browse, search, upload, ...)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-soak-") as tmp:
        root = Path(tmp)
        data = root / "data"
        data.mkdir()
        seed(data, args.tracks, 50, args.database_url)
        port = free_port()
        traced = root if args.tracemalloc else None
        database = [f"VEZA_DATABASE_URL={args.database_url}"] if args.database_url else []
        process = start_server(data, port, traced, [*database, *args.server_env])
        try:
            world = asyncio.run(prepare_world(port, root, args.uploads))
            snapshots: list[tracemalloc.Snapshot] = []

            def on_warm() -> None:
                if traced is not None:
                    snapshots.append(snapshot(process, traced, 1))

            print(
                f"seeded; soaking {args.minutes} min at {args.rate} + {args.fuzz_rate} fuzz actions/s",
                flush=True,
            )
            recorder, table, skipped = asyncio.run(soak(world, process.pid, args, on_warm))
            if traced is not None:
                snapshots.append(snapshot(process, traced, 2))
        finally:
            process.terminate()
            process.wait(30)
    report(recorder, table, skipped, args)
    if len(snapshots) == 2:
        growth_report(*snapshots, args.top)


if __name__ == "__main__":
    sys.exit(main())
