# ruff: noqa: S603, E501  (a benchmark harness: fixed local commands)
"""Live fan-out: 1,000 WebSocket clients on one API process receive a listening session's
broadcasts, against a bare ``websockets`` broadcast server doing the same fan-out.

    .venv/bin/python bench/bench_live.py   # --clients 1000 --broadcasts 100 --rounds 3

Both servers run one process with uvloop, on the same machine as this client. For each:

- memory per connection: the server's RSS with every client connected, less its RSS before,
  divided by the number of clients;
- latency: one broadcast at a time, each timed from the trigger until each client has it;
  p50 and p99 over every (broadcast, client) pair;
- throughput: ``--broadcasts`` triggers sent back to back; messages delivered per second,
  from the first trigger until the last client has the last one.

Veza's trigger is the host's ``state`` message on the session's socket (the documented path:
it writes the state to the database, commits, then publishes through the in-process broker);
the baseline's is a message from the host connection, which the server broadcasts as it is,
padded to the size of Veza's message. Clients refuse compression on both (no permessage-
deflate), so neither server compresses a message per client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, server_env, wait_port

ROOT = Path(__file__).resolve().parents[1]
PROFILE = (
    ["-m", "cProfile", "-o", os.environ["VEZA_BENCH_PROFILE"]]
    if os.environ.get("VEZA_BENCH_PROFILE")
    else []
)

BASELINE = """
import asyncio, sys
import uvloop
from websockets.asyncio.server import broadcast, serve

listeners = set()

async def handler(connection):
    if connection.request.path == "/host":
        async for message in connection:
            broadcast(listeners, message)
        return
    listeners.add(connection)
    try:
        await connection.wait_closed()
    finally:
        listeners.discard(connection)

async def main(port):
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=16):
        await asyncio.Future()

try:
    uvloop.run(main(int(sys.argv[1])))
except KeyboardInterrupt:
    pass
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = server_env(data_dir, VEZA_ENV="test")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def prepare(data_dir: Path) -> str:
    """A migrated database and a user; their access token."""
    code = f"""
import asyncio, sys
sys.path.insert(0, {str(ROOT)!r})
from tests.factories import access_token, create_user
from veza.app import create_app
from veza.config import get_settings
from veza.kit.migrations import upgrade_to_head
upgrade_to_head(get_settings())
async def main():
    app = create_app()
    user = await create_user(app, username="bench", email="bench@example.com")
    print(await access_token(app, user))
    await app.state.db.dispose()
asyncio.run(main())
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(data_dir), check=True, capture_output=True, text=True
    )
    return out.stdout.split()[-1]


@contextmanager
def process(
    command: list[str], env: dict[str, str], port: int
) -> Iterator[subprocess.Popen[bytes]]:
    running = subprocess.Popen(command, env=env)
    try:
        wait_port(port)
        yield running
    finally:
        running.send_signal(signal.SIGINT)  # a clean exit: cProfile (VEZA_BENCH_PROFILE) writes
        running.wait(30)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Fleet:
    """``count`` listening clients; each message's arrival time, by sequence number."""

    def __init__(self, count: int, sequence_of: object) -> None:
        self.count = count
        self.sequence_of = sequence_of
        self.arrivals: dict[int, list[float]] = {}
        self.waiters: dict[int, asyncio.Event] = {}
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []

    def expect(self, sequence: int) -> asyncio.Event:
        self.arrivals[sequence] = []
        event = self.waiters[sequence] = asyncio.Event()
        return event

    async def _read(self, socket: ClientConnection) -> None:
        async for raw in socket:
            sequence = self.sequence_of(raw)  # type: ignore[operator]
            if sequence is None or sequence not in self.arrivals:
                continue
            times = self.arrivals[sequence]
            times.append(time.perf_counter())
            if len(times) == self.count:
                self.waiters[sequence].set()

    async def open(self, url: str, headers: dict[str, str], first_message: bool) -> None:
        gate = asyncio.Semaphore(50)

        async def one() -> None:
            async with gate:
                socket = await connect(
                    url, additional_headers=headers, compression=None, max_queue=None
                )
                if first_message:
                    await socket.recv()  # the snapshot
                self.sockets.append(socket)

        await asyncio.gather(*(one() for _ in range(self.count)))
        self.readers = [asyncio.create_task(self._read(socket)) for socket in self.sockets]

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)


async def measure(
    name: str,
    pid: int,
    listen_url: str,
    host_url: str,
    headers: dict[str, str],
    trigger: object,
    sequence_of: object,
    clients: int,
    broadcasts: int,
    snapshot_first: bool,
) -> dict[str, float]:
    before = rss_kib(pid)
    fleet = Fleet(clients, sequence_of)
    await fleet.open(listen_url, headers, snapshot_first)
    await asyncio.sleep(0.5)
    after = rss_kib(pid)
    host = await connect(host_url, additional_headers=headers, compression=None)
    if snapshot_first:
        await host.recv()
    sequence = 0

    async def fire() -> tuple[int, float, asyncio.Event]:
        nonlocal sequence
        sequence += 1
        event = fleet.expect(sequence)
        started = time.perf_counter()
        await host.send(trigger(sequence))  # type: ignore[operator]
        return sequence, started, event

    for _ in range(5):  # warm-up
        _, _, event = await fire()
        await asyncio.wait_for(event.wait(), 30)
    latencies: list[float] = []
    for _ in range(30):
        number, started, event = await fire()
        await asyncio.wait_for(event.wait(), 30)
        latencies += [(arrival - started) * 1000 for arrival in fleet.arrivals[number]]
    fired = [await fire() for _ in range(broadcasts)]
    first_start = fired[0][1]
    await asyncio.wait_for(asyncio.gather(*(event.wait() for _, _, event in fired)), 120)
    last = max(max(fleet.arrivals[number]) for number, _, _ in fired)
    throughput = broadcasts * clients / (last - first_start)
    await host.close()
    await fleet.close()
    result = {
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "deliveries_per_s": throughput,
        "kib_per_connection": (after - before) / clients,
    }
    print(f"  {name}: {json.dumps({k: round(v, 1) for k, v in result.items()})}", flush=True)
    return result


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="veza-bench-live-") as tmp:
        data_dir = Path(tmp)
        token = prepare(data_dir)
        headers = {"Authorization": f"Bearer {token}"}
        veza_port, bare_port = free_port(), free_port()
        env = _env(data_dir)
        env["VEZA_QUEUE__SEND_BUFFER_MESSAGES"] = str(max(256, args.broadcasts * 2))
        veza_cmd = [
            sys.executable, *PROFILE, "-m", "uvicorn", "veza.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(veza_port), "--loop", "uvloop",
            "--http", "httptools", "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        bare_cmd = [sys.executable, "-c", BASELINE, str(bare_port)]
        with process(veza_cmd, env, veza_port) as veza, process(bare_cmd, env, bare_port) as bare:
            import httpx

            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{veza_port}") as http:
                created = await http.post("/api/v1/queue/session", headers=headers)
                created.raise_for_status()
                share = created.json()["data"]["share_token"]
            session_url = f"ws://127.0.0.1:{veza_port}/api/v1/queue/session/{share}/live"

            def veza_trigger(sequence: int) -> str:
                return json.dumps(
                    {"type": "state", "current_position": sequence, "is_playing": True}
                )

            def veza_sequence(raw: str | bytes) -> int | None:
                message = json.loads(raw)
                if message.get("type") != "state":
                    return None
                return int(message["session"]["current_position"])

            sample = len(json.dumps({"type": "state", "session": {"x": "y" * 420}}))

            def bare_trigger(sequence: int) -> str:
                return json.dumps({"sequence": sequence, "pad": "x" * sample})

            def bare_sequence(raw: str | bytes) -> int | None:
                return int(json.loads(raw)["sequence"])

            results: dict[str, list[dict[str, float]]] = {"bare": [], "veza": []}
            bare_args = (
                "bare websockets", bare.pid, f"ws://127.0.0.1:{bare_port}/listen",
                f"ws://127.0.0.1:{bare_port}/host", {}, bare_trigger, bare_sequence,
            )  # fmt: skip
            veza_args = (
                "veza", veza.pid, session_url, session_url, headers, veza_trigger, veza_sequence,
            )  # fmt: skip
            for round_number in range(1, args.rounds + 1):
                print(f"round {round_number}", flush=True)
                # Alternate which goes first: the machine's load drifts during a run.
                order = [("bare", bare_args, False), ("veza", veza_args, True)]
                for name, server_args, snapshot_first in order[:: 1 if round_number % 2 else -1]:
                    results[name].append(
                        await measure(*server_args, args.clients, args.broadcasts, snapshot_first)  # type: ignore[arg-type]
                    )
        ratios = [
            v["deliveries_per_s"] / b["deliveries_per_s"]
            for v, b in zip(results["veza"], results["bare"], strict=True)
        ]
        print("\nmedians over rounds (memory: first round, when every connection is new):")
        for name, rows in results.items():
            medians = {key: round(statistics.median(r[key] for r in rows), 1) for key in rows[0]}
            medians["kib_per_connection"] = round(rows[0]["kib_per_connection"], 1)
            print(f"  {name}: {json.dumps(medians)}")
        print(
            f"  veza / bare throughput: {statistics.median(ratios):.2f}x (rounds {', '.join(f'{r:.2f}' for r in ratios)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--broadcasts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
