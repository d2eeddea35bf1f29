# ruff: noqa: S603  (a benchmark harness: fixed local commands)
"""Resident memory of the long-lived processes, each against a bare baseline of the same run:

- an idle `veza serve` after one request to each domain, against a bare ASGI app
  (bench/sink_app.py) under the same uvicorn;
- an idle `veza worker` once started, and again once it has processed one upload (a 1 MiB WAV
  sent through a `veza serve` on the same Redis), against a bare arq worker
  (bench/sink_worker.py) once it has run one job.

    PYTHONPATH=src .venv/bin/python bench/bench_rss.py [--redis redis://127.0.0.1:6379/6] [--each]

With PYTHONPATH naming another checkout's src (e.g. main's), that code is measured the same way
(its own migrations included), for a before/after. Without --redis (nor VEZA_TEST_REDIS_URL)
only `veza serve` is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import (
    ROOT,
    VENV_BIN,
    free_port,
    get_json,
    make_wav,
    prepare,
    rss_mib,
    server_command,
    server_env,
    unique,
    upload_file,
    wait_port,
    wait_processed,
)

PATHS = (
    "/health",
    "/api/v1/tracks?limit=20",
    "/api/v1/users/{user}",
    "/api/v1/users/me",
    "/api/v1/playlists",
    "/api/v1/search?q=a",
    "/api/v1/queue",
    "/api/v1/notifications",
    "/api/v1/marketplace/products",
    "/api/v1/webhooks",
    "/api/v1/dashboard",
    "/api/v1/audit/logs",
    "/api/v1/social/feed",
    "/api/v1/uploads/limits",
)
IDLE_SECONDS = 2


def measure(
    command: list[str], env: dict[str, str], port: int, user: str, token: str, *, each: bool = False
) -> float:
    process = subprocess.Popen(command, env=env)
    try:
        wait_port(port, timeout=60)
        grown = []
        for path in PATHS:
            asyncio.run(get_json(port, path.format(user=user), token))
            if each:
                time.sleep(0.3)
                grown.append(f"{path.split('?')[0]} {rss_mib(process.pid):.1f}")
        time.sleep(IDLE_SECONDS)
        if each:
            print(f"  {command[1]}: RSS after each request (MiB): {', '.join(grown)}")
        return rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(10)


def wait_until(ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def measure_worker(data: Path, redis_url: str, token: str) -> tuple[float, float]:
    """`veza worker`'s RSS once polling, then once it has processed an upload of `veza serve`."""
    import redis

    queue = f"veza:bench-rss:{unique()}"
    env = server_env(data, VEZA_REDIS_URL=redis_url, VEZA_JOBS__QUEUE_NAME=queue)
    client = redis.Redis.from_url(redis_url)
    port = free_port()
    server = subprocess.Popen([str(VENV_BIN / "veza"), "serve", "--port", str(port)], env=env)
    worker = subprocess.Popen([str(VENV_BIN / "veza"), "worker"], env=env)
    try:
        wait_port(port, timeout=60)
        wait_until(lambda: bool(client.exists(f"{queue}:health-check")), "the worker polling")
        time.sleep(IDLE_SECONDS)
        started = rss_mib(worker.pid)
        source = data / "rss.wav"
        make_wav(source, 1)
        status, body, _ = asyncio.run(upload_file(port, token, source, "rss.wav"))
        assert status == 201, body[:300]
        track_id = json.loads(body)["data"]["track"]["id"]
        assert asyncio.run(wait_processed(port, track_id, token, timeout=120)) == "completed"
        time.sleep(IDLE_SECONDS)
        return started, rss_mib(worker.pid)
    finally:
        for process in (worker, server):
            process.terminate()
            process.wait(10)
        client.delete(queue, f"{queue}:health-check")


def measure_bare_worker(data: Path, redis_url: str) -> float:
    """A bare arq worker's RSS once it has run one job."""
    from arq import create_pool
    from arq.connections import RedisSettings

    queue = f"veza:bench-rss:{unique()}"
    env = server_env(data, VEZA_REDIS_URL=redis_url, VEZA_JOBS__QUEUE_NAME=queue)
    command = [str(VENV_BIN / "arq"), "sink_worker.WorkerSettings"]
    worker = subprocess.Popen(command, env=env, cwd=ROOT / "bench", stderr=subprocess.DEVNULL)

    async def one_job() -> None:
        pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=queue)
        try:
            job = await pool.enqueue_job("nothing")
            assert job is not None
            await job.result(timeout=60)
        finally:
            await pool.delete(queue, f"{queue}:health-check")
            await pool.aclose()

    try:
        asyncio.run(one_job())
        time.sleep(IDLE_SECONDS)
        return rss_mib(worker.pid)
    finally:
        worker.terminate()
        worker.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", default=os.environ.get("VEZA_TEST_REDIS_URL", ""))
    parser.add_argument(
        "--each", action="store_true", help="also print veza serve's RSS after each request"
    )
    args = parser.parse_args()
    which = os.environ.get("PYTHONPATH", "src")
    with tempfile.TemporaryDirectory(prefix="veza-rss-") as tmp:
        data = Path(tmp)
        user, token = prepare(data)
        env = server_env(data)
        port = free_port()
        serve = [str(VENV_BIN / "veza"), "serve", "--port", str(port)]
        veza = measure(serve, env, port, user, token, each=args.each)
        port = free_port()
        bare = measure(server_command("uvicorn", port, "sink_app:app"), env, port, user, token)
        print(f"veza serve ({which}): {veza:.1f} MiB RSS; bare ASGI app: {bare:.1f} MiB")
        if args.redis:
            started, processed = measure_worker(data, args.redis, token)
            bare_worker = measure_bare_worker(data, args.redis)
            print(
                f"veza worker ({which}): {started:.0f} MiB RSS started, {processed:.0f} MiB "
                f"after one upload processed; bare arq worker: {bare_worker:.0f} MiB"
            )


if __name__ == "__main__":
    main()
