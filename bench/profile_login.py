# ruff: noqa: S603  (a benchmark harness)
"""The application's CPU per login, in process: ``--logins`` sequential logins (the right
password, one user) through the ASGI app called directly (no HTTP client, no server), timed
with ``time.process_time``; the argon2id verification alone is timed the same way, so the
difference is what the application spends above the hash. With ``--profile``, a cProfile of
the logins is printed (cumulative time, top entries).

    PYTHONPATH=src .venv/bin/python bench/profile_login.py [--logins 60] [--profile]
        [--database-url postgresql+asyncpg://.../<empty db>]   (SQLite in a temporary dir)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import JWT_SECRET, asgi_request, print_self_time_by_package

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent

PASSWORD = "correct horse battery staple"  # tests/factories.py
BODY = json.dumps({"email": "profile@example.com", "password": PASSWORD}).encode()


async def _call(app: Any, body: bytes) -> int:
    """One POST /api/v1/auth/login through the ASGI interface; its status."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    status, _ = await asgi_request(app, "POST", "/api/v1/auth/login", headers=headers, body=body)
    return status


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    from tests.factories import create_user

    from veza.app import create_app
    from veza.kit.passwords import hash_password_sync, verify_password

    app = create_app()
    await create_user(app, username="profile", email="profile@example.com")
    for _ in range(5):  # warm-up: connections, compiled statements, imports
        assert await _call(app, BODY) == 200
    stored = hash_password_sync(PASSWORD)
    started = time.process_time()
    for _ in range(args.logins):
        await verify_password(stored, PASSWORD)
    hash_cpu = (time.process_time() - started) / args.logins
    # Timed by the main thread's CPU: the event loop's work, not argon2's worker thread.
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    started = time.process_time()
    started_loop = time.thread_time()
    if profiler:
        profiler.enable()
    for _ in range(args.logins):
        assert await _call(app, BODY) == 200
    if profiler:
        profiler.disable()
    login_cpu = (time.process_time() - started) / args.logins
    loop_cpu = (time.thread_time() - started_loop) / args.logins
    await app.state.db.dispose()
    print(
        f"{args.logins} logins: {login_cpu * 1000:.1f} ms CPU per login, argon2id alone "
        f"{hash_cpu * 1000:.1f} ms, above the hash {(login_cpu - hash_cpu) * 1000:.1f} ms; "
        f"the event loop's thread {loop_cpu * 1000:.1f} ms"
        + (" (under cProfile)" if profiler else "")
    )
    if profiler:
        stats = pstats.Stats(profiler)
        print_self_time_by_package(stats, args.logins, "login")
        stats.sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-profile-") as tmp:
        env = {
            "VEZA_DATA_DIR": tmp,
            "VEZA_AUTH__JWT_SECRET": JWT_SECRET,
            "VEZA_LOG__LEVEL": "WARNING",
            "VEZA_ENV": "production",
        }
        if args.database_url:
            env["VEZA_DATABASE_URL"] = args.database_url
        os.environ.update(env)
        subprocess.run(
            [str(VENV_BIN / "veza"), "migrate"],
            env=dict(os.environ),
            check=True,
            capture_output=True,
        )
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
