# ruff: noqa: E501
"""Upload throughput: POST /api/v1/tracks (one uvicorn process) against a raw disk write of the
same bytes in the same run; and the server's peak memory for two file sizes.

Processing is left out of the measurement: the server enqueues its job into Redis (a queue no
worker reads), so only reception, hashing, probing and storing are timed.

    .venv/bin/python bench/bench_upload.py [--mib 64 256] [--rounds 3] [--server uvicorn|granian]
        [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    SERVERS,
    free_port,
    make_wav,
    peak_rss_mib,
    prepare,
    unique,
    upload_file,
    veza_server,
)


def raw_write(source: Path, target: Path, *, durable: bool) -> float:
    """The baseline: the same bytes written to a new file on the same disk in 1 MiB blocks.
    Durable (the target): then fsync, as the server does before it answers 201, so both count
    the bytes on the disk. Not durable: a page-cache copy (reported for reference)."""
    block = bytearray(1 << 20)
    started = time.perf_counter()
    with source.open("rb", buffering=0) as reader, target.open("wb", buffering=0) as writer:
        while count := reader.readinto(block):
            writer.write(memoryview(block)[:count])
        if durable:
            os.fsync(writer.fileno())
    elapsed = time.perf_counter() - started
    # Removed, and the uploaded file too after each upload: on this VM, writing into memory
    # the page cache never used runs at ~250 MiB/s (the host backs it page by page), into
    # recycled memory at GB/s; a baseline that recycles against an upload that does not
    # measures the VM, not the server (docs/PERFORMANCE.md).
    target.unlink()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--timings", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", choices=SERVERS, default="uvicorn")
    parser.add_argument(
        "--redis", default=os.environ.get("VEZA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    args = parser.parse_args()
    queue = f"veza:bench:{unique()}"
    rows = []
    with tempfile.TemporaryDirectory(prefix="veza-bench-", dir=ROOT) as tmp:
        # Under the checkout, not /tmp: the baseline and the server must write to the same disk.
        root = Path(tmp)
        data = root / "data"
        _, token = prepare(data)
        port = free_port()
        env = {"VEZA_REDIS_URL": args.redis, "VEZA_JOBS__QUEUE_NAME": queue}
        for mib in args.mib:
            source = root / f"upload-{mib}.wav"
            make_wav(source, mib)
            size = source.stat().st_size
            durable, cached, uploads = [], [], []
            with veza_server(data, port, args.server, **env) as server:
                before = peak_rss_mib(server.pid)
                # Rounds alternate baseline and upload, so a slow spell of the machine (the
                # client shares its two cores) hits both.
                for _ in range(args.rounds):
                    durable.append(raw_write(source, data / "raw.bin", durable=True))
                    cached.append(raw_write(source, data / "raw.bin", durable=False))
                    status, body, elapsed = asyncio.run(upload_file(port, token, source, "u.wav"))
                    assert status == 201, body[:300]
                    track = json.loads(body)["data"]["track"]
                    assert track["file_size"] == size
                    uploads.append(elapsed)
                    # The baseline removes what it wrote; so does the upload's round, so both
                    # write into recycled page-cache memory (see raw_write).
                    (data / "media" / track["file_path"]).unlink()
                peak = peak_rss_mib(server.pid)
            ratios = [d / u for d, u in zip(durable, uploads, strict=True)]
            rows.append(
                (
                    mib,
                    size / statistics.median(durable) / (1 << 20),
                    size / statistics.median(cached) / (1 << 20),
                    size / statistics.median(uploads) / (1 << 20),
                    statistics.median(ratios),
                    statistics.median(c / u for c, u in zip(cached, uploads, strict=True)),
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
    print(f"server: {args.server}; medians of {args.rounds} rounds")
    print(
        "size     durable write   page-cache copy   upload        vs durable  vs copy   server RSS before -> peak"
    )
    for mib, raw, copy, up, ratio, copy_ratio, before, peak in rows:
        print(
            f"{mib:4d} MiB {raw:7.0f} MiB/s   {copy:7.0f} MiB/s     {up:7.0f} MiB/s  {ratio:6.2f}x    {copy_ratio:5.2f}x   {before:6.0f} -> {peak:4.0f} MiB"
        )


if __name__ == "__main__":
    main()
