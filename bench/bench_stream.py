"""Range streaming throughput: veza's /stream (one uvicorn process) against nginx sendfile
(one worker process) on the same file, 32 clients asking for random 1 MiB ranges; and the
X-Accel-Redirect mode behind nginx. Signed-in listeners too: an access token (Authorization),
a stream token in the query and in the cookie, of a public and of a private track (a second
upload of the same file, made private).

    .venv/bin/python bench/bench_stream.py [--seconds 3] [--rounds 8] [--clients 32] [--mib 256]
        [--server uvicorn|granian]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from pathlib import Path

import httpx
from common import (
    SERVERS,
    free_port,
    get_json,
    make_wav,
    nginx,
    prepare,
    range_load,
    upload_file,
    veza_server,
    wait_processed,
)


async def request_once(port: int, path: str) -> dict[str, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nRange: bytes=0-1023\r\n\r\n".encode())
    from common import read_response

    status, headers, length = await read_response(reader)
    writer.close()
    return {"status": str(status), "length": str(length), **headers}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="per measure")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--server", choices=SERVERS, default="uvicorn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        _, token = prepare(data)
        source = root / "noise.wav"
        make_wav(source, args.mib)
        pure_port, accel_port, nginx_port = free_port(), free_port(), free_port()
        env = {"VEZA_MEDIA__HLS_ENABLED": "false"}
        with veza_server(data, pure_port, **env):
            tracks = []
            for _ in range(2):
                status, body, _ = asyncio.run(upload_file(pure_port, token, source, "noise.wav"))
                assert status == 201, body
                tracks.append(json.loads(body)["data"]["track"])
                assert (
                    asyncio.run(wait_processed(pure_port, tracks[-1]["id"], token)) == "completed"
                )
            track, private = tracks
            api = f"http://127.0.0.1:{pure_port}/api/v1"
            bearer = {"Authorization": f"Bearer {token}"}
            made_private = httpx.put(
                f"{api}/tracks/{private['id']}", json={"is_public": False}, headers=bearer
            )
            assert made_private.status_code == 200, made_private.text
            stream_token = httpx.post(f"{api}/auth/stream-token", headers=bearer).json()["token"]
        size = track["file_size"]
        stream_path = f"/api/v1/tracks/{track['id']}/stream"
        private_path = f"/api/v1/tracks/{private['id']}/stream"
        access = f"Authorization: Bearer {token}\r\n"
        cookie = f"Cookie: stream_token={stream_token}\r\n"
        targets = {
            NGINX: (nginx_port, f"/files/{track['file_path']}", ""),
            PURE: (pure_port, stream_path, ""),
            ACCEL: (nginx_port, stream_path, ""),  # nginx in front of the X-Accel-Redirect server
            "access token, public": (pure_port, stream_path, access),
            "stream token query, public": (pure_port, f"{stream_path}?token={stream_token}", ""),
            "stream token cookie, public": (pure_port, stream_path, cookie),
            "access token, private": (pure_port, private_path, access),
            "stream token query, private": (pure_port, f"{private_path}?token={stream_token}", ""),
            "stream token cookie, private": (pure_port, private_path, cookie),
        }
        accel = {**env, "VEZA_MEDIA__ACCEL_REDIRECT_PREFIX": "/protected-media"}
        rounds: list[dict[str, float]] = []
        with (
            nginx(root / "nginx", nginx_port, data / "media", accel_port),
            veza_server(data, pure_port, args.server, **env),
            veza_server(data, accel_port, args.server, **accel),
        ):
            direct = asyncio.run(request_once(accel_port, stream_path))
            proxied = asyncio.run(request_once(nginx_port, stream_path))
            assert direct["x-accel-redirect"].startswith("/protected-media/tracks/"), direct
            assert proxied["status"] == "206" and proxied["length"] == "1024", proxied
            assert proxied["content-range"] == f"bytes 0-1023/{size}", proxied
            # Short measures alternate between the servers (all running, idle when not
            # measured), so a slow spell of the machine, whose two cores the load client
            # shares, hits all of them alike; each round gives its own ratios.
            for _ in range(args.rounds):
                rounds.append(
                    {
                        name: asyncio.run(
                            range_load(
                                port,
                                path,
                                size,
                                clients=args.clients,
                                seconds=args.seconds,
                                headers=headers,
                            )
                        )
                        for name, (port, path, headers) in targets.items()
                    }
                )
            code, _ = asyncio.run(get_json(pure_port, "/health", token))
            assert code == 200
    print(
        f"server {args.server}; file {size / (1 << 20):.0f} MiB, {args.clients} clients, "
        f"random 1 MiB ranges, {args.rounds} rounds of {args.seconds:.0f} s per server"
    )
    for name in targets:
        rates = [r[name] for r in rounds]
        ratios = [r[name] / r[NGINX] for r in rounds]
        print(
            f"{name:42s} median {statistics.median(rates):6.0f} MiB/s "
            f"{statistics.median(ratios):5.2f}x nginx (rounds {min(ratios):.2f}-{max(ratios):.2f}x)"
        )


NGINX = "nginx sendfile"
PURE = "veza /stream (pure Python)"
ACCEL = "veza /stream via nginx X-Accel-Redirect"


if __name__ == "__main__":
    main()
