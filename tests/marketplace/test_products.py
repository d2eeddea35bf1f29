"""Products: who sells, money as cents with two decimals on the wire, the license map, the
store's list and its filters, and who updates."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.factories import admin, create_track, member, set_user_fields
from tests.marketplace.support import PRODUCTS, error, new_product, seller, sold_track, update
from veza.marketplace.money import MAX_PRICE_CENTS


async def test_only_creators_and_admins_sell(app: FastAPI, client: httpx.AsyncClient) -> None:
    listener = await member(app)
    body = {"title": "Kit", "price": 5, "product_type": "pack"}
    assert error(await client.post(PRODUCTS, json=body, headers=listener.headers), 403) == (
        "NOT_A_SELLER"
    )
    assert (await client.post(PRODUCTS, json=body)).status_code == 401
    upgraded = await client.post("/api/v1/users/me/upgrade-creator", headers=listener.headers)
    assert upgraded.status_code == 200, upgraded.text
    assert (await client.post(PRODUCTS, json=body, headers=listener.headers)).status_code == 201
    boss = await admin(app)
    assert (await client.post(PRODUCTS, json=body, headers=boss.headers)).status_code == 201


async def test_prices_are_cents_with_two_decimals_and_bounded(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker = await seller(app)
    product = await new_product(client, maker, price=19.99, active=False)
    assert product["price"] == 19.99 and product["currency"] == "EUR"
    assert product["status"] == "draft"
    assert [(lic["license_type"], lic["price_cents"]) for lic in product["licenses"]] == [
        ("personal", 1999)
    ]
    for bad in (-1, 1.005, MAX_PRICE_CENTS / 100 + 0.01):
        body = {"title": "Kit", "price": bad, "product_type": "pack"}
        response = await client.post(PRODUCTS, json=body, headers=maker.headers)
        assert error(response, 400) == "VALIDATION_ERROR", bad
    top = await new_product(client, maker, price=MAX_PRICE_CENTS / 100, active=False)
    assert top["licenses"][0]["price_cents"] == MAX_PRICE_CENTS


async def test_the_three_license_vocabularies_map_explicitly(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker = await seller(app)
    expected = {
        "standard": ("basic", "personal"),
        "commercial": ("premium", "commercial"),
        "exclusive": ("exclusive", "exclusive"),
    }
    for requested, (headline, sold) in expected.items():
        product = await new_product(client, maker, license_type=requested, active=False)
        assert product["license_type"] == headline
        assert [lic["license_type"] for lic in product["licenses"]] == [sold]
    offers = [
        {"license_type": "streaming", "price_cents": 500},
        {"license_type": "exclusive", "price_cents": 50000, "terms_text": "All rights"},
    ]
    product = await new_product(client, maker, licenses=offers, active=False)
    assert product["license_type"] == "exclusive"
    assert [(lic["license_type"], lic["price_cents"]) for lic in product["licenses"]] == [
        ("streaming", 500),
        ("exclusive", 50000),
    ]
    twice = [offers[0], offers[0]]
    body = {"title": "Kit", "price": 1, "product_type": "pack", "licenses": twice}
    assert error(await client.post(PRODUCTS, json=body, headers=maker.headers), 400)


async def test_a_track_product_names_the_sellers_own_completed_track(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, rival = await seller(app), await seller(app)
    own = await sold_track(app, maker)
    theirs = await sold_track(app, rival)
    unfinished = await create_track(app, maker, status="processing")
    base = {"title": "Beat", "price": 30, "product_type": "track"}
    for track_id in (
        None,
        str(theirs.id),
        str(unfinished.id),
        "00000000-0000-0000-0000-000000000000",
    ):
        body = {**base, **({"track_id": track_id} if track_id else {})}
        response = await client.post(PRODUCTS, json=body, headers=maker.headers)
        assert error(response, 400) == "VALIDATION_ERROR", track_id
        assert response.json()["error"]["details"][0]["field"].endswith("track_id")
    product = await new_product(client, maker, **base, track_id=str(own.id))
    assert product["track_id"] == str(own.id) and product["product_type"] == "track"


async def test_the_store_lists_active_products_and_the_sellers_drafts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, visitor = await seller(app), await member(app)
    draft = await new_product(client, maker, title="Secret draft", active=False)
    first = await new_product(client, maker, title="Lofi pack", price=5)
    second = await new_product(client, maker, title="Trap pack", price=50, description="808s")
    archived = await new_product(client, maker, title="Old pack")
    await update(client, maker, archived["id"], status="archived")

    public = [p["id"] for p in (await client.get(PRODUCTS)).json()]
    assert public == [second["id"], first["id"]]  # newest first, active only
    mine = (await client.get(PRODUCTS, headers=maker.headers)).json()
    assert {p["id"] for p in mine} == {draft["id"], first["id"], second["id"], archived["id"]}
    assert (await client.get(PRODUCTS, headers=visitor.headers)).json()[0]["id"] == second["id"]

    async def listed(**params: object) -> list[str]:
        response = await client.get(PRODUCTS, params=params, headers=maker.headers)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()]

    assert await listed(q="808") == [second["id"]]
    assert await listed(q="LOFI") == [first["id"]]
    assert await listed(min_price=10, status="active") == [second["id"]]
    assert await listed(max_price=5, status="active") == [first["id"]]
    assert await listed(status="draft") == [draft["id"]]
    assert await listed(seller_id=str(visitor.id)) == []
    assert len(await listed(limit=1, page=2)) == 1
    assert await listed(type="service") == []
    for bad in ({"type": "song"}, {"seller_id": "nope"}, {"min_price": -1}, {"page": 0}):
        assert (await client.get(PRODUCTS, params=bad)).status_code == 400, bad


async def test_only_the_seller_or_an_admin_updates(app: FastAPI, client: httpx.AsyncClient) -> None:
    maker, other, boss = await seller(app), await seller(app), await admin(app)
    product = await new_product(client, maker)
    url = f"{PRODUCTS}/{product['id']}"
    assert error(await client.put(url, json={"price": 1}, headers=other.headers), 403) == (
        "NOT_PRODUCT_OWNER"
    )
    draft = await new_product(client, maker, active=False)
    hidden = await client.put(f"{PRODUCTS}/{draft['id']}", json={}, headers=other.headers)
    assert error(hidden, 404) == "PRODUCT_NOT_FOUND"
    unknown = f"{PRODUCTS}/00000000-0000-0000-0000-000000000000"
    assert error(await client.put(unknown, json={}, headers=maker.headers), 404)
    changed = await update(client, maker, product["id"], price=12.5, title="Better kit")
    assert changed["price"] == 12.5 and changed["licenses"][0]["price_cents"] == 1250
    assert (await update(client, boss, product["id"], status="archived"))["status"] == "archived"
    offers = [{"license_type": "commercial", "price_cents": 7000}]
    replaced = await update(client, maker, product["id"], licenses=offers)
    assert [lic["license_type"] for lic in replaced["licenses"]] == ["commercial"]
    assert replaced["license_type"] == "premium"


async def test_listings_of_a_deleted_track_or_a_gone_seller_leave_the_store(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, banned = await seller(app), await seller(app)
    track = await sold_track(app, maker)
    beat = await new_product(client, maker, product_type="track", track_id=str(track.id))
    kit = await new_product(client, maker)
    theirs = await new_product(client, banned)
    deleted = await client.delete(f"/api/v1/tracks/{track.id}", headers=maker.headers)
    assert deleted.status_code == 200
    await set_user_fields(app, banned.id, is_banned=True)
    listed = [p["id"] for p in (await client.get(PRODUCTS)).json()]
    assert listed == [kit["id"]]
    mine = {
        p["id"]: p["status"] for p in (await client.get(PRODUCTS, headers=maker.headers)).json()
    }
    assert mine == {beat["id"]: "archived", kit["id"]: "active"}
    assert theirs["id"] not in listed
