# ruff: noqa: S603, S607, ASYNC109, ASYNC240, E501  (a benchmark harness: fixed local commands)
"""Shared helpers of the benchmarks: a data directory with a user, servers, a raw HTTP client.

Clients are plain asyncio sockets (no HTTP library in the measurement path), so the numbers
show the server, not the client.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import pstats
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The checkout's own virtualenv, else the one of the interpreter running the bench (a second
# worktree run with another checkout's venv and PYTHONPATH set to its own src).
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv").exists() else Path(sys.executable).parent
JWT_SECRET = "bench-secret-" + "x" * 64


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        VEZA_DATA_DIR=str(data_dir),
        VEZA_AUTH__JWT_SECRET=JWT_SECRET,
        VEZA_LOG__LEVEL="WARNING",
        VEZA_ENV="production",
    )
    env.update(extra)
    return env


def prepare(data_dir: Path, **extra: str) -> tuple[str, str]:
    """Migrate a fresh database and create a user; returns (user id, access token). ``extra``:
    more environment (VEZA_DATABASE_URL for PostgreSQL)."""
    env = server_env(data_dir, **extra)
    subprocess.run([str(VENV_BIN / "veza"), "migrate"], env=env, check=True, capture_output=True)
    # The test factories make the user and a token exactly as login would.
    code = f"""
import asyncio, sys
sys.path.insert(0, {str(ROOT)!r})
from tests.factories import access_token, create_user
from veza.app import create_app
async def main():
    app = create_app()
    user = await create_user(app, username="bench", email="bench@example.com")
    print(user.id, await access_token(app, user))
    await app.state.db.dispose()
asyncio.run(main())
"""
    out = subprocess.run(
        [str(VENV_BIN / "python"), "-c", code], env=env, check=True, capture_output=True, text=True
    )
    user_id, token = out.stdout.split()
    return user_id, token


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


SERVERS = ("uvicorn", "granian")
APP_FACTORY = "veza.app:create_app"


def server_command(server: str, port: int, target: str = APP_FACTORY) -> list[str]:
    """One process serving the app: uvicorn (uvloop, httptools), like `veza serve`, or granian
    (Rust HTTP, uvloop) to measure against it. ``target`` is a factory, or ``sink_app:app``
    (bench/sink_app.py)."""
    is_factory = target == APP_FACTORY
    shared = ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--loop", "uvloop"]
    shared += ["--log-level", "warning"]
    if server == "granian":
        where = ["--factory"] if is_factory else ["--working-dir", str(ROOT / "bench")]
        return [str(VENV_BIN / "granian"), "--interface", "asgi", *where, *shared, target]
    where = ["--factory"] if is_factory else ["--app-dir", str(ROOT / "bench")]
    uvicorn_only = ["--no-access-log", "--http", "httptools"]
    return [str(VENV_BIN / "uvicorn"), target, *where, *shared, *uvicorn_only]


@contextmanager
def veza_server(
    data_dir: Path, port: int, server: str = "uvicorn", target: str = APP_FACTORY, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        server_command(server, port, target), env=server_env(data_dir, **env)
    )
    try:
        wait_port(port)
        yield process
    finally:
        process.terminate()
        process.wait(10)


NGINX_CONF = """
worker_processes 1;
user {user};
daemon off;
pid {pid};
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_requests 100000;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi; uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    types {{ audio/wav wav; audio/mpeg mp3; }}
    server {{
        listen 127.0.0.1:{port};
        location /files/ {{ alias {media}/; }}
        location /protected-media/ {{ internal; alias {media}/; }}
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            client_max_body_size 1g;
        }}
    }}
}}
"""


@contextmanager
def nginx(root: Path, port: int, media: Path, upstream: int) -> Iterator[subprocess.Popen[bytes]]:
    """nginx from the system packages, one worker process, sendfile on."""
    root.mkdir(parents=True, exist_ok=True)
    conf = root / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            user=getpass.getuser(),  # the worker must read the media files
            pid=root / "nginx.pid",
            root=root,
            port=port,
            media=media,
            upstream=upstream,
        )
    )
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(root)])
    try:
        wait_port(port)
        yield process
    finally:
        process.terminate()
        process.wait(10)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], int]:
    """Read one response; returns status, headers, body length (the body is discarded)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    remaining = length
    while remaining:
        chunk = await reader.read(min(remaining, 1 << 20))
        if not chunk:
            raise ConnectionError("body cut short")
        remaining -= len(chunk)
    return status, headers, length


async def range_load(
    port: int,
    path: str,
    size: int,
    *,
    clients: int,
    seconds: float,
    range_bytes: int = 1 << 20,
    headers: str = "",
) -> float:
    """`clients` keep-alive connections each asking for random 1 MiB ranges for `seconds`
    (``headers``: more header lines, each ending in CRLF); returns the body throughput in
    MiB/s."""
    import random

    total = 0
    deadline = time.perf_counter() + seconds
    rng = random.Random(42)

    async def client() -> None:
        nonlocal total
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
        while time.perf_counter() < deadline:
            start = rng.randrange(0, size - range_bytes)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: bench\r\nRange: bytes={start}-{start + range_bytes - 1}"
                f"\r\n{headers}\r\n".encode()
            )
            status, _, length = await read_response(reader)
            if status != 206:
                raise RuntimeError(f"status {status}")
            total += length
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return total / (time.perf_counter() - started) / (1 << 20)


def _process_tree(pid: int) -> list[int]:
    tree, index = [pid], 0
    while index < len(tree):
        children = Path(f"/proc/{tree[index]}/task/{tree[index]}/children")
        tree.extend(int(child) for child in children.read_text().split())
        index += 1
    return tree


def rss_mib(pid: int) -> float:
    """The resident size of one process now, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mib(pid: int) -> float:
    """The largest peak resident size in the server's process tree (granian serves from a
    child process; uvicorn with one worker from the process itself)."""
    peaks = [0.0]
    for member in _process_tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def unique() -> str:
    return uuid.uuid4().hex[:8]


def python() -> str:
    return sys.executable


async def upload_file(port: int, token: str, path: Path, filename: str) -> tuple[int, bytes, float]:
    """POST /api/v1/tracks with `path` as the multipart `file`; returns status, body and seconds
    from the first byte sent to the reply. The file is sent with sendfile (the kernel copies it
    from the page cache): the client shares the server's two cores, so it takes as little of
    them as it can, like a client on another machine would."""
    boundary = "bench" + unique()
    preamble = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    epilogue = f"\r\n--{boundary}--\r\n".encode()
    size = path.stat().st_size
    loop = asyncio.get_running_loop()
    with socket.socket() as sock:
        sock.setblocking(False)
        await loop.sock_connect(sock, ("127.0.0.1", port))
        started = time.perf_counter()
        await loop.sock_sendall(
            sock,
            (
                f"POST /api/v1/tracks HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(preamble) + size + len(epilogue)}\r\n\r\n"
            ).encode()
            + preamble,
        )
        with path.open("rb") as handle:
            await loop.sock_sendfile(sock, handle)
        await loop.sock_sendall(sock, epilogue)
        received = b""
        while b"\r\n\r\n" not in received:
            received += await loop.sock_recv(sock, 1 << 16)
        head, _, body = received.partition(b"\r\n\r\n")
        status, length = _status_and_length(head)
        while len(body) < length:
            body += await loop.sock_recv(sock, 1 << 16)
        elapsed = time.perf_counter() - started
    return status, body, elapsed


def make_wav(path: Path, mebibytes: int) -> None:
    """A valid 16-bit stereo 44.1 kHz WAV of about `mebibytes` MiB (noise)."""
    import wave

    import numpy as np

    rng = np.random.default_rng(1)
    frames_total = (mebibytes << 20) // 4
    with wave.open(str(path), "wb") as output:
        output.setnchannels(2)
        output.setsampwidth(2)
        output.setframerate(44100)
        step = 1 << 18
        for start in range(0, frames_total, step):
            count = min(step, frames_total - start)
            output.writeframes(rng.integers(-3000, 3000, size=count * 2, dtype=np.int16).tobytes())


async def get_json(port: int, path: str, token: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    status, length = _status_and_length(await reader.readuntil(b"\r\n\r\n"))
    body = await reader.readexactly(length)
    writer.close()
    return status, body


def _status_and_length(head: bytes) -> tuple[int, int]:
    """The status code and Content-Length of a response head."""
    length = next(
        line.split(b":")[1]
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    return int(head.split()[1]), int(length)


async def wait_processed(port: int, track_id: str, token: str, timeout: float = 600) -> str:
    import json

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, body = await get_json(port, f"/api/v1/tracks/{track_id}/status", token)
        reply = json.loads(body)
        if "data" not in reply:
            # The request's commit may land just after its reply (see the report on kit/db.py).
            await asyncio.sleep(0.05)
            continue
        status = reply["data"]["status"]
        if status in ("completed", "failed"):
            return str(status)
        await asyncio.sleep(0.2)
    raise TimeoutError(track_id)


class Connection:
    """One keep-alive HTTP/1.1 connection that reads whole answers (status, headers, body);
    it reconnects when the server closed it (after a 413, say)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, path: str, *, body: bytes = b"", headers: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        """``headers``: more header lines, each ending in CRLF. A reused connection the server
        closed meanwhile (its keep-alive timeout) before answering is opened again, once."""
        reused = self._streams is not None
        if self._streams is None:
            self._streams = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 22)
        reader, writer = self._streams
        length = f"Content-Length: {len(body)}\r\n" if body or method in ("POST", "PUT") else ""
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: bench\r\n{length}{headers}\r\n".encode() + body
        )
        try:
            status, answer_headers, answer = await _read_whole(reader)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            self.close()
            nothing_read = not isinstance(exc, asyncio.IncompleteReadError) or not exc.partial
            if reused and nothing_read:
                return await self.request(method, path, body=body, headers=headers)
            raise
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return status, answer_headers, answer

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def _read_whole(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers, body


def _package(filename: str) -> str:
    """The library a profiled function belongs to (its top-level package), or the stdlib."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/src/veza/" in filename:
        return "veza." + filename.split("/src/veza/")[1].removesuffix(".py").replace("/", ".")
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "stdlib"


def print_self_time_by_package(stats: pstats.Stats, count: int, unit: str) -> None:
    """Self time (tottime, which cProfile measures right for coroutines too) per package, per
    ``unit`` (``count`` of them profiled)."""
    totals: dict[str, float] = {}
    for (filename, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
        totals[_package(filename)] = totals.get(_package(filename), 0.0) + row[2]
    print(f"self time per {unit}, by package (under cProfile):")
    for package, seconds in sorted(totals.items(), key=lambda item: -item[1])[:25]:
        print(f"  {package:40} {seconds / count * 1000:6.3f} ms")


async def asgi_request(
    app: Any,
    method: str,
    path: str,
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
) -> tuple[int, bytes]:
    """One request through an ASGI app, no server or socket: its status and body. The body is
    received once; later receives wait, as a client that has not gone would."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"profile"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    received = False
    status = 0
    answer: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            await asyncio.sleep(3600)
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            answer.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(answer)


def sampling_profiler() -> Any:
    """pyinstrument's sampling profiler of the event loop's thread (not a dependency: installed
    by hand), which attributes the time of coroutines to the calls awaiting them."""
    from pyinstrument import Profiler

    return Profiler(interval=0.0002, async_mode="disabled")
