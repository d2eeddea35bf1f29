"""Upload throughput: POST /api/v1/tracks (one server process) against a durable raw disk write
of the same bytes (write + fsync, as the server does before its 201) in the same run; for
reference a page-cache copy (no fsync) and the ASGI server alone receiving the same upload into
a bare application that discards it (bench/sink_app.py, the ceiling of anything behind it);
and the server's peak memory for two file sizes.

Processing is left out of the measurement: the server enqueues its job into Redis (a queue no
worker reads), so only reception, writing, probing and storing are timed.

    .venv/bin/python bench/bench_upload.py [--mib 64 256] [--rounds 5] [--server uvicorn|granian]
        [--redis redis://127.0.0.1:6379/15]"""

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
    os.sync()  # not timed: no writeback of this run left to slow the next measure down
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--rounds", type=int, default=5)
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
        port, sink_port = free_port(), free_port()
        env = {"VEZA_REDIS_URL": args.redis, "VEZA_JOBS__QUEUE_NAME": queue}
        for mib in args.mib:
            source = root / f"upload-{mib}.wav"
            make_wav(source, mib)
            size = source.stat().st_size
            timings: dict[str, list[float]] = {name: [] for name in COLUMNS}
            with (
                veza_server(data, port, args.server, **env) as server,
                veza_server(data, sink_port, args.server, target="sink_app:app"),
            ):
                before = peak_rss_mib(server.pid)
                # Rounds alternate the measures, so a slow spell of the machine (the client
                # shares its two cores) hits all of them.
                for _ in range(args.rounds):
                    timings["durable"].append(raw_write(source, data / "raw.bin", durable=True))
                    timings["copy"].append(raw_write(source, data / "raw.bin", durable=False))
                    status, body, elapsed = asyncio.run(
                        upload_file(sink_port, token, source, "u.wav")
                    )
                    assert status == 201 and json.loads(body)["data"]["received"] > size, body
                    timings["sink"].append(elapsed)
                    status, body, elapsed = asyncio.run(upload_file(port, token, source, "u.wav"))
                    assert status == 201, body[:300]
                    track = json.loads(body)["data"]["track"]
                    assert track["file_size"] == size
                    timings["upload"].append(elapsed)
                    # The baseline removes what it wrote; so does the upload's round, so both
                    # write into recycled page-cache memory (see raw_write).
                    (data / "media" / track["file_path"]).unlink()
                    os.sync()
                peak = peak_rss_mib(server.pid)
            rows.append((mib, size, timings, before, peak))
            source.unlink()
    try:
        import redis

        redis.Redis.from_url(args.redis).delete(queue)
    except Exception:  # noqa: S110 - cleanup only
        pass
    _report(args, rows)


COLUMNS = {
    "durable": "durable write",
    "copy": "page-cache copy",
    "sink": "server alone",
    "upload": "upload",
}


def _report(
    args: argparse.Namespace, rows: list[tuple[int, int, dict[str, list[float]], float, float]]
) -> None:
    print(
        f"server: {args.server}; medians of {args.rounds} rounds (MiB/s; ratios are medians of "
        "each round's ratio to that round's durable write)"
    )
    print(
        f"{'size':>8} "
        + " ".join(f"{label:>16}" for label in COLUMNS.values())
        + f" {'upload/durable':>15} {'alone/durable':>14}   server RSS start -> peak"
    )
    for mib, size, timings, before, peak in rows:
        rates = [size / statistics.median(timings[name]) / (1 << 20) for name in COLUMNS]
        print(
            f"{mib:4d} MiB "
            + " ".join(f"{rate:16.0f}" for rate in rates)
            + f" {_ratio(timings, 'upload'):14.2f}x {_ratio(timings, 'sink'):13.2f}x"
            + f"   {before:6.0f} -> {peak:4.0f} MiB"
        )


def _ratio(timings: dict[str, list[float]], name: str) -> float:
    """The median over rounds of the durable write's time over this measure's time."""
    return statistics.median(
        durable / measured
        for durable, measured in zip(timings["durable"], timings[name], strict=True)
    )


if __name__ == "__main__":
    main()
