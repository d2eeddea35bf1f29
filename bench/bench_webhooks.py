# ruff: noqa: E501
"""The cost of a guarded, signed webhook send against a plain httpx POST (the baseline, same
run, same receiver on loopback).

- baseline: ``client.post(url, content=body)`` with one ``httpx.AsyncClient`` for the whole
  run (the cheapest httpx POST; the receiver closes each connection, so neither reuses one);
- guarded: ``kit.outbound.send`` (resolve, address check, pinned connection, no redirects,
  capped read) with a Standard Webhooks signature computed for each request.

Each is run ``--requests`` times one after the other, best of 3.

    .venv/bin/python bench/bench_webhooks.py [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from veza.kit import outbound
from veza.webhooks import signing

BODY = signing.body_of(
    {"type": "track.liked", "timestamp": "2026-01-01T00:00:00Z", "data": {"track_id": "x" * 36}}
)


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
    finally:
        writer.close()


async def baseline(url: str, requests: int) -> float:
    async with httpx.AsyncClient(trust_env=False) as client:
        started = time.perf_counter()
        for _ in range(requests):
            response = await client.post(
                url, content=BODY.encode(), headers={"content-type": "application/json"}
            )
            assert response.status_code == 200
        return time.perf_counter() - started


async def guarded(url: str, requests: int) -> float:
    key = signing.new_key()
    started = time.perf_counter()
    for n in range(requests):
        headers = signing.signed_headers(key, f"msg_{n}", datetime.now(UTC), BODY)
        outcome = await outbound.send(
            "POST",
            url,
            content=BODY.encode(),
            headers=headers,
            timeout=10,
            cap=1024,
            allow_loopback=True,
        )
        assert outcome.answer is not None and outcome.answer.status_code == 200, outcome.error
    return time.perf_counter() - started


async def main(requests: int) -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
    plain = min([await baseline(url, requests) for _ in range(3)])
    checked = min([await guarded(url, requests) for _ in range(3)])
    server.close()
    print(f"plain httpx POST (baseline): {plain / requests * 1000:.2f} ms/request")
    print(
        f"guarded signed send:         {checked / requests * 1000:.2f} ms/request ({checked / plain:.2f}x baseline)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    asyncio.run(main(parser.parse_args().requests))
