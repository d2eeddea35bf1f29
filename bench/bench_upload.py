# ruff: noqa: E501
"""Upload throughput: POST /api/v1/tracks (one uvicorn process) against a raw disk write of the
same bytes in the same run; and the server's peak memory for two file sizes.

Processing is left out of the measurement: the server enqueues its job into Redis (a queue no
worker reads), so only reception, hashing, probing and storing are timed.

    .venv/bin/python bench/bench_upload.py [--mib 64 256] [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from common import free_port, make_wav, peak_rss_mib, prepare, unique, upload_file, veza_server


def raw_write(source: Path, target: Path) -> float:
    """The baseline: read the file and write it elsewhere in 1 MiB blocks (what a perfect
    server would do with the bytes), then fsync-free close, like the server."""
    started = time.perf_counter()
    with source.open("rb") as reader, target.open("wb") as writer:
        while block := reader.read(1 << 20):
            writer.write(block)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, nargs="+", default=[64, 256])
    parser.add_argument(
        "--redis", default=os.environ.get("VEZA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    args = parser.parse_args()
    queue = f"veza:bench:{unique()}"
    rows = []
    with tempfile.TemporaryDirectory(prefix="veza-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        _, token = prepare(data)
        port = free_port()
        env = {"VEZA_REDIS_URL": args.redis, "VEZA_JOBS__QUEUE_NAME": queue}
        for mib in args.mib:
            source = root / f"upload-{mib}.wav"
            make_wav(source, mib)
            size = source.stat().st_size
            baseline = min(raw_write(source, data / "raw.bin") for _ in range(3))
            with veza_server(data, port, **env) as server:
                before = peak_rss_mib(server.pid)
                timings = []
                for _ in range(3):
                    status, body, elapsed = asyncio.run(upload_file(port, token, source, "u.wav"))
                    assert status == 201, body[:300]
                    assert json.loads(body)["data"]["track"]["file_size"] == size
                    timings.append(elapsed)
                peak = peak_rss_mib(server.pid)
            upload = min(timings)
            rows.append(
                (
                    mib,
                    size / baseline / (1 << 20),
                    size / upload / (1 << 20),
                    baseline / upload,
                    before,
                    peak,
                )
            )
            source.unlink()
    try:
        import redis

        redis.Redis.from_url(args.redis).delete(queue)
    except Exception:  # noqa: S110 - cleanup only
        pass
    print("size     raw write    upload      ratio   server RSS before -> peak")
    for mib, raw, up, ratio, before, peak in rows:
        print(
            f"{mib:4d} MiB {raw:7.0f} MiB/s {up:7.0f} MiB/s {ratio:6.2f}x   {before:6.0f} -> {peak:4.0f} MiB"
        )


if __name__ == "__main__":
    main()
