"""Upload: POST /api/v1/tracks (one server process) measured in one run, three ways.

1. Throughput, for each size (16, 64, 256 MiB): the upload against the ASGI server alone
   receiving the same bytes through the same server into a bare application that discards
   them (bench/sink_app.py, the ceiling of anything behind that server). For reference, a
   durable raw write of the same bytes to the same disk (write + fsync, as the server does
   before its 201).
2. Memory: each size gets a fresh server; its peak RSS (the largest ``VmHWM`` of its process
   tree) after that size's uploads, which must not grow with the file size.
3. Latency under uploads: the p99 of GET /api/v1/tracks/{id} from one keep-alive client, idle,
   then while ``--clients`` clients (another process) each upload ``--load-mib`` MiB at once.

``--compare DIR...`` runs every server measure again with the package found in each DIR (a
``git archive`` of a commit to compare with, ``src/`` inside; named by the folder's name), in
the same rounds, so what a change bought is a ratio of the same run.

Processing is left out: the server enqueues its job into Redis (a queue no worker reads), so
reception, writing, probing and storing are timed.

    .venv/bin/python bench/bench_upload.py [--mib 16 64 256] [--rounds 3] [--clients 8]
        [--load-mib 256] [--compare DIR...] [--server uvicorn|granian] [--redis URL]"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from common import (
    ROOT,
    SERVERS,
    free_port,
    make_wav,
    peak_rss_mib,
    prepare,
    read_response,
    unique,
    upload_file,
    veza_server,
)


def raw_write(source: Path, target: Path) -> float:
    """The reference: the same bytes written to a new file on the same disk in 1 MiB blocks,
    then fsynced, as the server does before it answers 201."""
    block = bytearray(1 << 20)
    started = time.perf_counter()
    with source.open("rb", buffering=0) as reader, target.open("wb", buffering=0) as writer:
        while count := reader.readinto(block):
            writer.write(memoryview(block)[:count])
        os.fsync(writer.fileno())
    elapsed = time.perf_counter() - started
    # Removed, and the uploaded file too after each upload: on this VM, writing into memory
    # the page cache never used runs at ~250 MiB/s (the host backs it page by page), into
    # recycled memory at GB/s; a measure that recycles against one that does not measures
    # the VM, not the server (docs/PERFORMANCE.md).
    target.unlink()
    os.sync()  # not timed: no writeback of this measure left to slow the next one down
    return elapsed


def loop_cpu_seconds(pid: int) -> float:
    """CPU time of the server's main thread (the event loop's): what the loop spent, whatever
    else the two cores were running (the wall time of a measure is not)."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(pid: int, send: Callable[[], float]) -> tuple[float, float]:
    """(wall seconds, loop CPU seconds) of one upload."""
    before = loop_cpu_seconds(pid)
    elapsed = send()
    return elapsed, loop_cpu_seconds(pid) - before


class Bench:
    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args = args
        self.root = root
        self.data = root / "data"
        _, self.token = prepare(self.data, **self.quota)
        self.queue = f"veza:bench:{unique()}"
        # The variants of the server measured: this checkout, and the one to compare with.
        self.variants = {"now": ""}
        for folder in args.compare:
            self.variants[Path(folder).name] = str(Path(folder).resolve() / "src")

    @property
    def quota(self) -> dict[str, str]:
        # Every round's track row stays (only its file is removed): no quota in the way.
        return {"VEZA_MEDIA__USER_QUOTA_BYTES": str(1 << 50)}

    @contextmanager
    def servers(self) -> Iterator[dict[str, tuple[int, int]]]:
        """A fresh server per variant: {variant: (port, pid)}."""
        env = {"VEZA_REDIS_URL": self.args.redis, "VEZA_JOBS__QUEUE_NAME": self.queue}
        with ExitStack() as stack:
            running = {}
            for name, path in self.variants.items():
                port = free_port()
                extra = {**env, **self.quota, **({"PYTHONPATH": path} if path else {})}
                process = stack.enter_context(
                    veza_server(self.data, port, self.args.server, **extra)
                )
                running[name] = (port, process.pid)
            yield running

    def upload(self, port: int, source: Path) -> float:
        """One upload; its wall time. The stored file is removed."""
        status, body, elapsed = asyncio.run(upload_file(port, self.token, source, "u.wav"))
        assert status == 201, body[:300]
        track = json.loads(body)["data"]["track"]
        assert track["file_size"] == source.stat().st_size
        self.remove_stored(track)
        return elapsed

    def remove_stored(self, track: dict[str, str]) -> None:
        # Both sides write into recycled page-cache memory (see raw_write).
        (self.data / "media" / track["file_path"]).unlink()
        os.sync()

    def throughput(self, mib: int) -> dict[str, Any]:
        source = self.root / f"upload-{mib}.wav"
        make_wav(source, mib)
        size = source.stat().st_size
        times: dict[str, list[float]] = {"durable": [], "sink": []}
        times.update({name: [] for name in self.variants})
        cpu: dict[str, list[float]] = {name: [] for name in times if name != "durable"}
        sink_port = free_port()
        with (
            self.servers() as running,
            veza_server(self.data, sink_port, self.args.server, target="sink_app:app") as sink,
        ):
            start_rss = {name: peak_rss_mib(pid) for name, (_, pid) in running.items()}
            # Rounds alternate the measures, so a slow spell of the machine (the client shares
            # its two cores) hits all of them.
            for _ in range(self.args.rounds):
                times["durable"].append(raw_write(source, self.data / "raw.bin"))
                wall, used = timed(sink.pid, lambda: self.sink_upload(sink_port, source))
                times["sink"].append(wall)
                cpu["sink"].append(used)
                for name, (port, pid) in running.items():
                    wall, used = timed(pid, lambda port=port: self.upload(port, source))  # type: ignore[misc]
                    times[name].append(wall)
                    cpu[name].append(used)
            peak_rss = {name: peak_rss_mib(pid) for name, (_, pid) in running.items()}
        source.unlink()
        return {"mib": mib, "size": size, "times": times, "cpu": cpu, "rss": (start_rss, peak_rss)}

    def sink_upload(self, port: int, source: Path) -> float:
        status, body, elapsed = asyncio.run(upload_file(port, self.token, source, "u.wav"))
        assert status == 201 and json.loads(body)["data"]["received"] > source.stat().st_size
        return elapsed

    def latency(self) -> dict[str, dict[str, float]]:
        source = self.root / f"load-{self.args.load_mib}.wav"
        make_wav(source, self.args.load_mib)
        small = self.root / "small.wav"
        make_wav(small, 1)
        results = {}
        with self.servers() as running:
            for name, (port, pid) in running.items():
                status, body, _ = asyncio.run(upload_file(port, self.token, small, "s.wav"))
                assert status == 201, body[:300]
                track_id = json.loads(body)["data"]["track"]["id"]
                idle, loaded, replies = asyncio.run(self.probe(port, track_id, source))
                for reply in replies:
                    self.remove_stored(reply)
                results[name] = {
                    "idle_p99": _p99(idle),
                    "load_p99": _p99(loaded),
                    "idle_median": statistics.median(idle),
                    "load_median": statistics.median(loaded),
                    "samples": len(loaded),
                    "upload_mib_s": self.args.clients * self.args.load_mib / self.load_seconds,
                    "peak_rss": peak_rss_mib(pid),
                }
        source.unlink()
        small.unlink()
        return results

    async def probe(
        self, port: int, track_id: str, source: Path
    ) -> tuple[list[float], list[float], list[dict[str, str]]]:
        """GET /tracks/{id} latencies idle (``--idle-seconds``), then while the uploader
        process runs; and the uploaded tracks."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = (
            f"GET /api/v1/tracks/{track_id} HTTP/1.1\r\nHost: bench\r\n"
            f"Authorization: Bearer {self.token}\r\n\r\n"
        ).encode()

        async def one() -> float:
            started = time.perf_counter()
            writer.write(request)
            status, _, _ = await read_response(reader)
            assert status == 200, status
            return time.perf_counter() - started

        for _ in range(50):  # warm up
            await one()
        idle, deadline = [], time.perf_counter() + self.args.idle_seconds
        while time.perf_counter() < deadline:
            idle.append(await one())
        uploader = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--uploader",
            str(port),
            self.token,
            str(source),
            str(self.args.clients),
            stdout=asyncio.subprocess.PIPE,
        )
        started = time.perf_counter()
        output = asyncio.ensure_future(uploader.communicate())
        loaded = []
        while not output.done():
            loaded.append(await one())
        self.load_seconds = time.perf_counter() - started
        writer.close()
        tracks = json.loads((await output)[0])
        assert uploader.returncode == 0 and len(tracks) == self.args.clients, tracks
        return idle, loaded, tracks


async def _upload_many(port: int, token: str, source: Path, clients: int) -> None:
    """The load of the latency measure: ``clients`` uploads of ``source`` at once; prints the
    tracks made, as JSON."""
    replies = await asyncio.gather(
        *(upload_file(port, token, source, f"load{n}.wav") for n in range(clients))
    )
    tracks = []
    for status, body, _ in replies:
        assert status == 201, body[:300]
        tracks.append(json.loads(body)["data"]["track"])
    print(json.dumps(tracks))


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--uploader":
        port, token, source, clients = sys.argv[2:6]
        asyncio.run(_upload_many(int(port), token, Path(source), int(clients)))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, nargs="*", default=[16, 64, 256])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--load-mib", type=int, default=256)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--compare", nargs="*", default=[], help="checkouts (src/ inside)")
    parser.add_argument("--server", choices=SERVERS, default="uvicorn")
    parser.add_argument(
        "--redis", default=os.environ.get("VEZA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-bench-", dir=ROOT) as tmp:
        # Under the checkout, not /tmp: the reference and the server write to the same disk.
        bench = Bench(args, Path(tmp))
        print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        sizes = [bench.throughput(mib) for mib in args.mib]
        _report_throughput(bench, sizes)
        if not args.no_latency:
            _report_latency(bench, bench.latency())
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        try:
            import redis

            redis.Redis.from_url(args.redis).delete(bench.queue)
        except Exception:  # noqa: S110 - cleanup only
            pass


def _report_throughput(bench: Bench, sizes: list[dict[str, Any]]) -> None:
    print(
        f"server: {bench.args.server}; medians of {bench.args.rounds} rounds; / alone: the median "
        "of each round's own ratio; loop CPU: the server's main thread, ms per MiB received"
    )
    print(f"{'size':>8} {'measure':>14} {'MiB/s':>7} {'/ alone':>8} {'loop CPU':>9}   RSS")
    for row in sizes:
        times, cpu, (start_rss, peak_rss) = row["times"], row["cpu"], row["rss"]
        for name, samples in times.items():
            rate = row["size"] / statistics.median(samples) / (1 << 20)
            line = f"{row['mib']:4d} MiB {COLUMNS.get(name, name):>14} {rate:7.0f}"
            if name != "durable":
                ratio = statistics.median(
                    alone / measured for alone, measured in zip(times["sink"], samples, strict=True)
                )
                per_mib = statistics.median(cpu[name]) * 1e3 / row["mib"]
                line += f" {ratio:7.2f}x {per_mib:9.2f}"
            if name in start_rss:
                line += f"   {start_rss[name]:.0f} -> {peak_rss[name]:.0f} MiB"
            print(line, flush=True)


COLUMNS = {"durable": "durable write", "sink": "server alone"}


def _report_latency(bench: Bench, results: dict[str, dict[str, float]]) -> None:
    print(
        f"GET /tracks/{{id}}, one keep-alive client: idle, then while {bench.args.clients} "
        f"clients each upload {bench.args.load_mib} MiB (ms)"
    )
    for name, r in results.items():
        print(
            f"{name:>6}: idle p50 {r['idle_median'] * 1e3:.2f} p99 {r['idle_p99'] * 1e3:.2f}; "
            f"under uploads p50 {r['load_median'] * 1e3:.2f} p99 {r['load_p99'] * 1e3:.2f} "
            f"({r['samples']:.0f} requests); p99 ratio {r['load_p99'] / r['idle_p99']:.2f}x; "
            f"uploads {r['upload_mib_s']:.0f} MiB/s in all; "
            f"server peak RSS {r['peak_rss']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
