"""Real ``veza serve`` and ``veza worker`` processes for the multi-process tests: each gets a
free port (servers), the environment given, and is stopped (then killed) at the end."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from redis.asyncio import Redis

import veza
from tests.conftest import TEST_JWT_SECRET

SERVE = "from veza.cli import app; app(['serve'])"
WORKER = "from veza.cli import app; app(['worker'])"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def shared_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """What every process of one deployment shares: database, Redis (under keys and a job
    queue of this test's own), the JWT key; ``extra`` adds ``VEZA_*`` variables."""
    prefix = f"veza-test-{uuid.uuid4().hex[:8]}"
    return {
        **os.environ,
        "PYTHONPATH": str(Path(veza.__file__).resolve().parents[1]),
        "VEZA_ENV": "test",
        "VEZA_DATABASE_URL": database_url,
        "VEZA_REDIS_URL": redis_url,
        "VEZA_RATE_LIMIT__KEY_PREFIX": prefix,
        "VEZA_JOBS__QUEUE_NAME": f"{prefix}:jobs",
        "VEZA_AUTH__JWT_SECRET": TEST_JWT_SECRET,
        "VEZA_SERVER__HOST": "127.0.0.1",
        "VEZA_LOG__LEVEL": "WARNING",
        **extra,
    }


async def _ready(base: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(600):  # 30 s at most, on a loaded machine
            assert process.returncode is None, "the server stopped during start-up"
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{base} did not start")


async def _stop(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _forget_redis_keys(env: dict[str, str]) -> None:
    """Remove the keys of this test's prefix (rate limits, the job queue) from the test Redis."""
    redis = Redis.from_url(env["VEZA_REDIS_URL"])
    try:
        pattern = f"*{env['VEZA_RATE_LIMIT__KEY_PREFIX']}*"
        keys = [key async for key in redis.scan_iter(match=pattern)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@asynccontextmanager
async def deployment(
    env: dict[str, str], data_root: Path, *, servers: int, workers: int = 0
) -> AsyncIterator[list[str]]:
    """``servers`` API processes and ``workers`` job workers over ``env``, each with a data
    folder of its own under ``data_root``; yields the servers' ``host:port`` once all answer."""
    processes: list[asyncio.subprocess.Process] = []
    addresses: list[str] = []
    try:
        for number in range(servers + workers):
            process_env = {**env, "VEZA_DATA_DIR": str(data_root / f"p{number}")}
            code = SERVE
            if number < servers:
                port = free_port()
                process_env["VEZA_SERVER__PORT"] = str(port)
                addresses.append(f"127.0.0.1:{port}")
            else:
                code = WORKER
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-c", code, env=process_env, stdout=subprocess.DEVNULL
                )
            )
        await asyncio.gather(
            *(_ready(f"http://{a}", p) for a, p in zip(addresses, processes, strict=False))
        )
        yield addresses
    finally:
        await _stop(processes)
        if env.get("VEZA_REDIS_URL"):
            await _forget_redis_keys(env)
