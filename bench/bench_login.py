# ruff: noqa: S603  (a benchmark harness)
"""Concurrent logins against their baseline in the same run: 8 clients each logging in again
and again (POST /api/v1/auth/login, the right password) for ``--seconds``, against
bench/login_baseline.py (the same argon2id verification in a thread and a JWT, no database),
one uvicorn process each; meanwhile one more client asks GET /health, whose p99 is compared
with its p99 on the idle server.

    PYTHONPATH=src .venv/bin/python bench/bench_login.py [--rounds 3] [--seconds 6]
        [--database-url postgresql+asyncpg://...]   (an empty database; SQLite by default)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import common
from common import free_port, prepare, read_response, server_env, veza_server, wait_port

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = common.VENV_BIN
PASSWORD = "correct horse battery staple"  # tests/factories.py
BODY = json.dumps({"email": "bench@example.com", "password": PASSWORD}).encode()


async def _client(port: int, deadline: float, latencies: list[float], login: bool) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < deadline:
        if login:
            request = (
                b"POST /api/v1/auth/login HTTP/1.1\r\nHost: bench\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (len(BODY), BODY)
            )
        else:
            request = b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"
            await asyncio.sleep(0.02)
        sent = time.perf_counter()
        writer.write(request)
        status, _, _ = await read_response(reader)
        if status != 200:
            raise RuntimeError(f"status {status}")
        latencies.append(time.perf_counter() - sent)
    writer.close()


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def load(port: int, clients: int, seconds: float) -> dict[str, float]:
    idle: list[float] = []
    await _client(port, time.perf_counter() + 1.0, idle, login=False)
    logins: list[float] = []
    health: list[float] = []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(_client(port, deadline, logins, login=True) for _ in range(clients)),
        _client(port, deadline, health, login=False),
    )
    elapsed = time.perf_counter() - started
    return {
        "rate": len(logins) / elapsed,
        "p50": _p(logins, 0.5),
        "p99": _p(logins, 0.99),
        "health_idle_p99": _p(idle, 0.99),
        "health_p99": _p(health, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    extra = {"VEZA_DATABASE_URL": args.database_url} if args.database_url else {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="veza-login-") as tmp:
        data = Path(tmp)
        prepare(data, **extra)
        for _ in range(args.rounds):
            port = free_port()
            with veza_server(data, port, **extra):
                ours = asyncio.run(load(port, args.clients, args.seconds))
            port = free_port()
            command = [
                str(VENV_BIN / "uvicorn"), "login_baseline:app", "--app-dir", str(ROOT / "bench"),
                "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
                "--http", "httptools", "--no-access-log", "--log-level", "warning",
            ]  # fmt: skip
            baseline = subprocess.Popen(command, env=server_env(data))
            try:
                wait_port(port)
                theirs = asyncio.run(load(port, args.clients, args.seconds))
            finally:
                baseline.terminate()
                baseline.wait(10)
            rows.append((ours, theirs))
    print(f"{args.clients} clients logging in, {args.seconds:.0f} s per measure")
    for ours, theirs in rows:
        print(
            f"veza {ours['rate']:5.1f}/s p50 {ours['p50']:6.0f} p99 {ours['p99']:6.0f} ms | "
            f"baseline {theirs['rate']:5.1f}/s p50 {theirs['p50']:6.0f} p99 {theirs['p99']:6.0f} ms"
            f" | rate {ours['rate'] / theirs['rate']:.2f}x, p99 {ours['p99'] / theirs['p99']:.2f}x"
            f" | /health p99 idle {ours['health_idle_p99']:.1f} ms, under logins"
            f" {ours['health_p99']:.1f} ms"
        )
    ratios = [o["rate"] / t["rate"] for o, t in rows]
    print(
        f"rate ratio median {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
    )


if __name__ == "__main__":
    main()
