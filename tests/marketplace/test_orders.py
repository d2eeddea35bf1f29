"""Orders: amounts computed by the server, the refusals, each item frozen at its sale, the
buyer's own orders, the seller told and the audit log written."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import admin, member
from tests.helpers import notifications
from tests.marketplace.support import ORDERS, error, new_product, order, seller, update
from veza.marketplace.promotions import create_promo_code
from veza.models import AuditLog


async def test_the_server_prices_the_order_and_the_sandbox_pays_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, buyer = await seller(app), await member(app)
    kit = await new_product(client, maker, price=9.99)
    offers = [
        {"license_type": "personal", "price_cents": 2500},
        {"license_type": "commercial", "price_cents": 9900, "terms_text": "Unlimited streams"},
    ]
    beat = await new_product(client, maker, price=25, licenses=offers)
    commercial = beat["licenses"][1]["id"]
    response = await client.post(
        ORDERS,
        json={
            "items": [
                {"product_id": kit["id"], "price": 0.01},
                {"product_id": beat["id"], "license_id": commercial},
            ]
        },
        headers=buyer.headers,
    )
    assert response.status_code == 201, response.text
    paid = response.json()
    assert paid["total_amount"] == 108.99 and paid["currency"] == "EUR"
    assert paid["status"] == "completed" and paid["payment_status"] == "succeeded"
    assert paid["payment_intent"].startswith("pi_sandbox_") and paid["refund_deadline"]
    items = {item["product_id"]: item for item in paid["items"]}
    assert items[kit["id"]]["price"] == 9.99 and items[kit["id"]]["license_type"] == "personal"
    assert items[beat["id"]]["price_cents"] == 9900
    assert items[beat["id"]]["terms_text"] == "Unlimited streams"

    # A later price change changes no past order.
    await update(client, maker, kit["id"], price=1)
    again = await client.get(f"{ORDERS}/{paid['id']}", headers=buyer.headers)
    assert again.json()["total_amount"] == 108.99
    assert {i["price"] for i in again.json()["items"]} == {9.99, 99.0}

    inbox = await notifications(client, maker)
    assert any("bought your product" in n["message"] for n in inbox["notifications"])
    async with app.state.db.reader() as session:
        actions = set(await session.scalars(select(AuditLog.action)))
    assert {
        "marketplace.product_created",
        "marketplace.product_updated",
        "marketplace.order_created",
        "marketplace.order_paid",
    } <= actions


async def test_what_cannot_be_bought_is_refused_with_the_reason(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, buyer = await seller(app), await member(app)
    product = await new_product(client, maker)
    draft = await new_product(client, maker, active=False)
    archived = await new_product(client, maker)
    await update(client, maker, archived["id"], status="archived")

    assert error(await order(client, maker, product["id"]), 400) == "PRODUCT_NOT_PURCHASABLE"
    assert error(await order(client, buyer, draft["id"]), 400) == "VALIDATION_ERROR"
    refused = await order(client, buyer, archived["id"])
    assert error(refused, 400) == "PRODUCT_NOT_PURCHASABLE"
    assert "archived" in refused.json()["error"]["message"]
    unknown = await order(client, buyer, "00000000-0000-0000-0000-000000000000")
    assert error(unknown, 400) == "VALIDATION_ERROR"
    assert error(await order(client, buyer, product["id"], product["id"]), 400)
    wrong_license = await order(client, buyer, product["id"], license_id=draft["licenses"][0]["id"])
    assert error(wrong_license, 400) == "VALIDATION_ERROR"

    assert (await order(client, buyer, product["id"])).status_code == 201
    assert error(await order(client, buyer, product["id"]), 400) == "ALREADY_PURCHASED"
    assert (await order(client, buyer, product["id"])).status_code == 400
    listed = (await client.get(ORDERS, headers=buyer.headers)).json()
    assert len(listed) == 1  # refusals made nothing


async def test_orders_are_the_buyers_own(app: FastAPI, client: httpx.AsyncClient) -> None:
    maker, buyer, stranger, boss = (
        await seller(app),
        await member(app),
        await member(app),
        await admin(app),
    )
    product = await new_product(client, maker)
    made = (await order(client, buyer, product["id"])).json()
    url = f"{ORDERS}/{made['id']}"
    assert (await client.get(url, headers=buyer.headers)).json()["id"] == made["id"]
    assert error(await client.get(url, headers=stranger.headers), 403) == "NOT_ORDER_OWNER"
    assert (await client.get(url, headers=boss.headers)).status_code == 200
    missing = f"{ORDERS}/00000000-0000-0000-0000-000000000000"
    assert error(await client.get(missing, headers=buyer.headers), 404) == "ORDER_NOT_FOUND"
    assert (await client.get(f"{ORDERS}/nope", headers=buyer.headers)).status_code == 400
    assert (await client.get(url)).status_code == 401
    assert [o["id"] for o in (await client.get(ORDERS, headers=buyer.headers)).json()] == [
        made["id"]
    ]
    assert (await client.get(ORDERS, headers=stranger.headers)).json() == []


async def test_a_free_order_is_paid_without_a_provider(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.marketplace.sandbox_auto_pay = False
    maker, buyer = await seller(app), await member(app)
    free = await new_product(client, maker, price=0)
    paid = (await order(client, buyer, free["id"])).json()
    assert (paid["status"], paid["payment_status"], paid["total_amount"]) == (
        "completed",
        "free",
        0,
    )
    assert "payment_intent" not in paid


async def test_a_sellers_promo_code_discounts_only_that_sellers_items(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, rival, buyer = await seller(app), await seller(app), await member(app)
    own = await new_product(client, maker, price=10.01)
    theirs = await new_product(client, rival, price=30)
    async with app.state.db.writer() as session, session.begin():
        await create_promo_code(session, "maker10", kind="percent", value=10, seller_id=maker.id)
    paid = (await order(client, buyer, own["id"], theirs["id"], promo_code="maker10")).json()
    # 10 % of 10.01 is 1.001: rounded down to the cent.
    assert (paid["discount_amount_cents"], paid["total_amount"]) == (100, 39.01)
