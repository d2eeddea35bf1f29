"""Exactly once: the Idempotency-Key (same key and body: the same order; another body: 409;
concurrent identical requests: one order), the exclusive license sold to one of many
concurrent buyers, and a promo code's last use going to one order. Concurrent requests go
through the app at once, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update

from tests.factories import member
from tests.marketplace.support import (
    ORDERS,
    PRODUCTS,
    error,
    new_product,
    order,
    seller,
    sold_track,
)
from veza.kit.jobs import run_task
from veza.marketplace.promotions import create_promo_code
from veza.marketplace.tasks import SWEEP_IDEMPOTENCY_KEYS
from veza.models import IdempotencyKey, Order


async def _orders_of(app: FastAPI, buyer_id: object) -> int:
    async with app.state.db.reader() as session:
        count = await session.scalar(
            select(func.count()).select_from(Order).where(Order.buyer_id == buyer_id)
        )
    return int(count or 0)


async def test_the_same_key_and_body_give_the_same_order_back(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, buyer = await seller(app), await member(app)
    first, second = await new_product(client, maker), await new_product(client, maker)
    key = {"Idempotency-Key": "checkout-7f3a"}
    made = await order(client, buyer, first["id"], headers=key)
    again = await order(client, buyer, first["id"], headers=key)
    assert made.status_code == again.status_code == 201
    assert again.json()["id"] == made.json()["id"]
    other_body = await order(client, buyer, second["id"], headers=key)
    assert error(other_body, 409) == "IDEMPOTENCY_KEY_REUSED"
    # Keys are per user: another buyer's identical key is theirs alone.
    someone = await member(app)
    assert (await order(client, someone, first["id"], headers=key)).json()["id"] != made.json()[
        "id"
    ]
    bad = await order(client, buyer, second["id"], headers={"Idempotency-Key": "x" * 256})
    assert error(bad, 400) == "VALIDATION_ERROR"
    assert await _orders_of(app, buyer.id) == 1


async def test_concurrent_requests_with_one_key_make_one_order(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, buyer = await seller(app), await member(app)
    product = await new_product(client, maker)
    key = {"Idempotency-Key": "double-click"}
    responses = await asyncio.gather(
        *(order(client, buyer, product["id"], headers=key) for _ in range(8))
    )
    assert {response.status_code for response in responses} == {201}, [r.text for r in responses]
    assert len({response.json()["id"] for response in responses}) == 1
    assert await _orders_of(app, buyer.id) == 1
    async with app.state.db.reader() as session:
        keys = await session.scalar(select(func.count()).select_from(IdempotencyKey))
    assert keys == 1


async def test_an_exclusive_license_is_sold_once_of_twenty_concurrent_buyers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker = await seller(app)
    track = await sold_track(app, maker)
    offers = [
        {"license_type": "personal", "price_cents": 2000},
        {"license_type": "exclusive", "price_cents": 100000},
    ]
    beat = await new_product(
        client, maker, product_type="track", track_id=str(track.id), licenses=offers
    )
    second_listing = await new_product(
        client, maker, product_type="track", track_id=str(track.id), title="Same beat, tagged"
    )
    lessee = await member(app)
    lease = await order(client, lessee, beat["id"], license_id=beat["licenses"][0]["id"])
    assert lease.status_code == 201

    exclusive = beat["licenses"][1]["id"]
    buyers = [await member(app) for _ in range(20)]
    responses = await asyncio.gather(
        *(order(client, buyer, beat["id"], license_id=exclusive) for buyer in buyers)
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * 19, [r.text for r in responses if r.status_code != 201]
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 400} == {
        "EXCLUSIVE_SOLD"
    }

    # The product and the other listing of the track left the store; the lease stays.
    listed = [p["id"] for p in (await client.get(PRODUCTS)).json()]
    assert beat["id"] not in listed and second_listing["id"] not in listed
    for product_id in (beat["id"], second_listing["id"]):
        late = await order(client, await member(app), product_id)
        assert late.status_code == 400
    # Nor may the seller put it, or the track, back on sale.
    relist = await client.put(
        f"{PRODUCTS}/{beat['id']}", json={"status": "active"}, headers=maker.headers
    )
    assert error(relist, 400) == "VALIDATION_ERROR"
    again = {"title": "Beat", "price": 10, "product_type": "track", "track_id": str(track.id)}
    assert error(await client.post(PRODUCTS, json=again, headers=maker.headers), 400)
    download = await client.get(
        f"/api/v1/marketplace/download/{beat['id']}", headers=lessee.headers
    )
    assert download.status_code == 200 and len(download.json()) == 1
    kept = await client.get(f"{ORDERS}/{lease.json()['id']}", headers=lessee.headers)
    assert kept.json()["status"] == "completed"


async def test_a_promo_codes_last_use_goes_to_one_order(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker = await seller(app)
    product = await new_product(client, maker, price=20)
    other = await new_product(client, maker, price=20)
    async with app.state.db.writer() as session, session.begin():
        await create_promo_code(session, "last-one", kind="percent", value=25, max_uses=1)
        await create_promo_code(
            session,
            "gone",
            kind="fixed",
            value=500,
            expires_at=datetime.now(UTC) - timedelta(minutes=1),
        )
        await create_promo_code(
            session, "elsewhere", kind="fixed", value=500, product_id=uuid.UUID(other["id"])
        )
    buyers = [await member(app) for _ in range(6)]
    responses = await asyncio.gather(
        *(order(client, buyer, product["id"], promo_code="LAST-ONE") for buyer in buyers)
    )
    winners = [r for r in responses if r.status_code == 201]
    assert len(winners) == 1, [r.text for r in responses]
    paid = winners[0].json()
    assert (paid["discount_amount_cents"], paid["total_amount"]) == (500, 15.0)
    assert paid["promo_code_id"]
    losers = [r for r in responses if r.status_code != 201]
    assert {error(r, 400) for r in losers} == {"INVALID_PROMO_CODE"}
    # A refused order kept nothing: a loser may buy without the code.
    loser = buyers[responses.index(losers[0])]
    assert (await order(client, loser, product["id"])).status_code == 201
    expired = await order(client, await member(app), product["id"], promo_code="gone")
    assert "expired" in expired.json()["error"]["message"]
    elsewhere = await order(client, await member(app), product["id"], promo_code="elsewhere")
    assert "does not apply" in elsewhere.json()["error"]["message"]
    unknown = await order(client, await member(app), product["id"], promo_code="nothing")
    assert error(unknown, 400) == "INVALID_PROMO_CODE"


async def test_a_key_is_forgotten_after_its_lifetime(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, buyer = await seller(app), await member(app)
    first, second = await new_product(client, maker), await new_product(client, maker)
    key = {"Idempotency-Key": "monthly"}
    made = (await order(client, buyer, first["id"], headers=key)).json()
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(IdempotencyKey).values(created_at=datetime.now(UTC) - timedelta(hours=25))
        )
    assert await run_task(app.state.jobs.context, SWEEP_IDEMPOTENCY_KEYS) == 1
    later = await order(client, buyer, second["id"], headers=key)
    assert later.status_code == 201 and later.json()["id"] != made["id"]


async def test_one_buyer_racing_for_the_same_license_buys_it_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, buyer = await seller(app), await member(app)
    product = await new_product(client, maker)
    responses = await asyncio.gather(*(order(client, buyer, product["id"]) for _ in range(6)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * 5, [r.text for r in responses]
    assert {error(r, 400) for r in responses if r.status_code == 400} == {"ALREADY_PURCHASED"}
    assert await _orders_of(app, buyer.id) == 1
