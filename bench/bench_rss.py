# ruff: noqa: S603  (a benchmark harness: fixed local commands)
"""Resident memory of an idle `veza serve` after one request to each domain, against a bare
ASGI app (bench/sink_app.py) under the same uvicorn, started in the same run.

    PYTHONPATH=src .venv/bin/python bench/bench_rss.py

With PYTHONPATH naming another checkout's src (e.g. main's), that code is measured the same way
(its own migrations included), for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from pathlib import Path

from common import (
    VENV_BIN,
    free_port,
    get_json,
    prepare,
    rss_mib,
    server_command,
    server_env,
    wait_port,
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


def measure(command: list[str], env: dict[str, str], port: int, user: str, token: str) -> float:
    process = subprocess.Popen(command, env=env)
    try:
        wait_port(port, timeout=60)
        for path in PATHS:
            asyncio.run(get_json(port, path.format(user=user), token))
        time.sleep(2)
        return rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-rss-") as tmp:
        data = Path(tmp)
        user, token = prepare(data)
        env = server_env(data)
        port = free_port()
        serve = [str(VENV_BIN / "veza"), "serve", "--port", str(port)]
        veza = measure(serve, env, port, user, token)
        port = free_port()
        bare = measure(server_command("uvicorn", port, "sink_app:app"), env, port, user, token)
    which = os.environ.get("PYTHONPATH", "src")
    print(f"veza serve ({which}): {veza:.0f} MiB RSS; bare ASGI app: {bare:.0f} MiB")


if __name__ == "__main__":
    main()
