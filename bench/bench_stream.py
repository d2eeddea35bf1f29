"""Range streaming throughput: veza's /stream (one uvicorn process) against nginx sendfile
(one worker process) on the same file, 32 clients asking for random 1 MiB ranges; and the
X-Accel-Redirect mode behind nginx.

    .venv/bin/python bench/bench_stream.py [--seconds 8] [--clients 32] [--mib 256]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from common import (
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
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--mib", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veza-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        _, token = prepare(data)
        source = root / "noise.wav"
        make_wav(source, args.mib)
        api_port, nginx_port = free_port(), free_port()
        env = {"VEZA_MEDIA__HLS_ENABLED": "false"}
        with veza_server(data, api_port, **env):
            status, body, _ = asyncio.run(upload_file(api_port, token, source, "noise.wav"))
            assert status == 201, body
            track = json.loads(body)["data"]["track"]
            assert asyncio.run(wait_processed(api_port, track["id"], token)) == "completed"
        size = track["file_size"]
        results: dict[str, float] = {}
        with nginx(root / "nginx", nginx_port, data / "media", api_port):
            results["nginx sendfile"] = asyncio.run(
                range_load(
                    nginx_port,
                    f"/files/{track['file_path']}",
                    size,
                    clients=args.clients,
                    seconds=args.seconds,
                )
            )
            with veza_server(data, api_port, **env):
                results["veza /stream (pure Python)"] = asyncio.run(
                    range_load(
                        api_port,
                        f"/api/v1/tracks/{track['id']}/stream",
                        size,
                        clients=args.clients,
                        seconds=args.seconds,
                    )
                )
            accel = {**env, "VEZA_MEDIA__ACCEL_REDIRECT_PREFIX": "/protected-media"}
            with veza_server(data, api_port, **accel):
                direct = asyncio.run(request_once(api_port, f"/api/v1/tracks/{track['id']}/stream"))
                proxied = asyncio.run(
                    request_once(nginx_port, f"/api/v1/tracks/{track['id']}/stream")
                )
                assert direct["x-accel-redirect"].startswith("/protected-media/tracks/"), direct
                assert proxied["status"] == "206" and proxied["length"] == "1024", proxied
                assert proxied["content-range"] == f"bytes 0-1023/{size}", proxied
                results["veza /stream via nginx X-Accel-Redirect"] = asyncio.run(
                    range_load(
                        nginx_port,
                        f"/api/v1/tracks/{track['id']}/stream",
                        size,
                        clients=args.clients,
                        seconds=args.seconds,
                    )
                )
                code, _ = asyncio.run(get_json(api_port, "/health", token))
                assert code == 200
    baseline = results["nginx sendfile"]
    print(
        f"file {size / (1 << 20):.0f} MiB, {args.clients} clients, random 1 MiB ranges, "
        f"{args.seconds:.0f} s each"
    )
    for name, rate in results.items():
        print(f"{name:45s} {rate:8.0f} MiB/s  {rate / baseline:5.2f}x nginx")


if __name__ == "__main__":
    main()
