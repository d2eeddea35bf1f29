"""Order creation and the store's list against the closest operations of the catalog (the
baseline, same run, same in-process client).

A fresh SQLite database gets 40 public tracks, 40 active products and N buyers; then, median
of 5 rounds each:
- read: ``GET /tracks?limit=20`` (baseline) against ``GET /marketplace/products?limit=20``;
- write: ``POST /tracks/{id}/like`` by each buyer (baseline: one idempotent insert and a
  counter) against ``POST /marketplace/orders`` by each buyer (pricing, refusal checks, the
  idempotency key, the order and its item, the sandbox payment, the notification, audit rows).

    PYTHONPATH=src .venv/bin/python bench/bench_marketplace.py [--buyers 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import make_settings
from tests.factories import create_track, member

from veza.app import create_app
from veza.kit.migrations import upgrade_to_head_async

API = "/api/v1"


async def _timed(calls: list[Any]) -> float:
    started = time.perf_counter()
    for call in calls:
        response = await call()
        assert response.status_code in (200, 201), response.text
    return time.perf_counter() - started


async def main(buyers: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="veza-bench-") as tmp:
        settings = make_settings(Path(tmp), f"sqlite+aiosqlite:///{tmp}/veza.db")
        await upgrade_to_head_async(settings)
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            seller = await member(app, role="creator")
            tracks = [await create_track(app, seller) for _ in range(40)]
            products = []
            for n in range(40):
                made = await client.post(
                    f"{API}/marketplace/products",
                    json={"title": f"Kit {n}", "price": 9.99, "product_type": "pack"},
                    headers=seller.headers,
                )
                pid = made.json()["id"]
                await client.put(
                    f"{API}/marketplace/products/{pid}",
                    json={"status": "active"},
                    headers=seller.headers,
                )
                products.append(pid)
            people = [await member(app) for _ in range(buyers * rounds)]

            reads: dict[str, list[float]] = {"catalog": [], "store": []}
            writes: dict[str, list[float]] = {"like": [], "order": []}
            for r in range(rounds):
                group = people[r * buyers : (r + 1) * buyers]
                reads["catalog"].append(
                    await _timed(
                        [lambda: client.get(f"{API}/tracks", params={"limit": 20})] * buyers
                    )
                )
                reads["store"].append(
                    await _timed(
                        [lambda: client.get(f"{API}/marketplace/products", params={"limit": 20})]
                        * buyers
                    )
                )
                track = tracks[r]
                writes["like"].append(
                    await _timed(
                        [
                            (
                                lambda who=who, track=track: client.post(
                                    f"{API}/tracks/{track.id}/like", headers=who.headers
                                )
                            )
                            for who in group
                        ]
                    )
                )
                product = products[r]
                writes["order"].append(
                    await _timed(
                        [
                            (
                                lambda who=who, product=product: client.post(
                                    f"{API}/marketplace/orders",
                                    json={"items": [{"product_id": product}]},
                                    headers={**who.headers, "Idempotency-Key": f"bench-{who.id}"},
                                )
                            )
                            for who in group
                        ]
                    )
                )
        await app.state.db.dispose()

    def per_second(seconds: list[float]) -> float:
        return buyers / statistics.median(seconds)

    catalog, store = per_second(reads["catalog"]), per_second(reads["store"])
    like, order = per_second(writes["like"]), per_second(writes["order"])
    print(f"GET /tracks?limit=20                 {catalog:8.0f} req/s (baseline)")
    print(f"GET /marketplace/products?limit=20   {store:8.0f} req/s  ratio {store / catalog:.2f}")
    print(f"POST /tracks/{{id}}/like               {like:8.0f} req/s (baseline)")
    print(f"POST /marketplace/orders             {order:8.0f} req/s  ratio {order / like:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.buyers, arguments.rounds))
