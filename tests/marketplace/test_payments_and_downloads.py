"""Pending payments settled through the provider's state machine, downloads only for buyers
with paid orders (signed local URLs checked and expired server-side), refunds ending the
rights, purchased files kept when the seller deletes the track, and the track-download licence
check of playback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from tests.factories import admin, member
from tests.helpers import API
from tests.marketplace.support import AUDIO, ORDERS, error, new_product, order, seller, sold_track
from veza.kit import events
from veza.kit.files import SWEEP_FILES
from veza.kit.jobs import run_task
from veza.marketplace.admin import settle_order
from veza.models import Order


def _download(product_id: str) -> str:
    return f"{API}/marketplace/download/{product_id}"


async def _beat(app: FastAPI, client: httpx.AsyncClient) -> tuple[object, dict[str, object]]:
    maker = await seller(app)
    track = await sold_track(app, maker, title="Night drive", artist="DJ Test")
    product = await new_product(client, maker, product_type="track", track_id=str(track.id))
    return maker, product


async def test_pending_orders_are_paid_or_failed_through_the_state_machine(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.marketplace.sandbox_auto_pay = False
    _, product = await _beat(app, client)
    buyer = await member(app)
    pending = (await order(client, buyer, str(product["id"]))).json()
    assert (pending["status"], pending["payment_status"]) == ("pending", "requires_payment_method")
    assert error(await client.get(_download(str(product["id"])), headers=buyer.headers), 403)
    assert error(await order(client, buyer, str(product["id"])), 400) == "ALREADY_PURCHASED"

    settings = app.state.settings.marketplace
    order_id = uuid.UUID(pending["id"])
    assert await settle_order(app.state.db, order_id, "pay", settings) == "completed"
    with pytest.raises(ValueError):
        await settle_order(app.state.db, order_id, "pay", settings)  # paid once only
    with pytest.raises(ValueError):
        await settle_order(app.state.db, order_id, "fail", settings)
    assert (
        await client.get(_download(str(product["id"])), headers=buyer.headers)
    ).status_code == 200

    other = await member(app)
    declined = (await order(client, other, str(product["id"]))).json()
    declined_id = uuid.UUID(declined["id"])
    assert await settle_order(app.state.db, declined_id, "fail", settings) == "failed"
    failed = (await client.get(f"{ORDERS}/{declined['id']}", headers=other.headers)).json()
    assert (failed["status"], failed["payment_status"]) == ("failed", "failed")
    assert error(await client.get(_download(str(product["id"])), headers=other.headers), 403)
    assert (await order(client, other, str(product["id"]))).status_code == 201  # may try again


async def test_only_a_buyer_gets_signed_urls_that_expire(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, product = await _beat(app, client)
    buyer, stranger = await member(app), await member(app)
    assert error(
        await client.get(_download(str(product["id"])), headers=stranger.headers), 403
    ) == ("LICENSE_REQUIRED")
    unknown = _download("00000000-0000-0000-0000-000000000000")
    assert error(await client.get(unknown, headers=buyer.headers), 404) == "PRODUCT_NOT_FOUND"
    assert (await client.get(_download(str(product["id"])))).status_code == 401

    await order(client, buyer, str(product["id"]))
    urls = (await client.get(_download(str(product["id"])), headers=buyer.headers)).json()
    assert list(urls) == ["DJ Test - Night drive.mp3"]
    url = urls["DJ Test - Night drive.mp3"].removeprefix("http://localhost:8080")
    served = await client.get(url)
    assert served.status_code == 200 and served.content == AUDIO
    assert "attachment" in served.headers["content-disposition"]
    tampered = await client.get(url[:-2] + ("AA" if not url.endswith("AA") else "BB"))
    assert tampered.status_code == 401

    expired = app.state.tokens.encode(
        subject=str(buyer.id),
        typ="marketplace_download",
        ttl_seconds=-60,
        audience="veza-marketplace",
        claims={"item": str(uuid.uuid4())},
    )
    assert error(await client.get(f"{API}/marketplace/files/{expired}"), 401) == "TOKEN_EXPIRED"
    access = buyer.headers["Authorization"].removeprefix("Bearer ")
    assert (await client.get(f"{API}/marketplace/files/{access}")).status_code == 401


async def test_a_refund_inside_the_deadline_ends_the_download_rights(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, product = await _beat(app, client)
    buyer, late, stranger = await member(app), await member(app), await member(app)
    paid = (await order(client, buyer, str(product["id"]))).json()
    url = (await client.get(_download(str(product["id"])), headers=buyer.headers)).json()
    signed = next(iter(url.values())).removeprefix("http://localhost:8080")
    refund = f"{ORDERS}/{paid['id']}/refund"
    assert error(await client.post(refund, headers=stranger.headers), 403) == "NOT_ORDER_OWNER"
    refunded = await client.post(refund, headers=buyer.headers)
    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    assert error(await client.post(refund, headers=buyer.headers), 400) == "REFUND_NOT_ALLOWED"
    assert error(await client.get(_download(str(product["id"])), headers=buyer.headers), 403)
    assert error(await client.get(signed), 403) == "LICENSE_REQUIRED"  # checked again when served

    too_late = (await order(client, late, str(product["id"]))).json()
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(Order)
            .where(Order.id == uuid.UUID(too_late["id"]))
            .values(refund_deadline=datetime.now(UTC) - timedelta(seconds=1))
        )
    past = await client.post(f"{ORDERS}/{too_late['id']}/refund", headers=late.headers)
    assert "deadline" in past.json()["error"]["message"]
    boss = await admin(app)
    assert (await client.post(f"{ORDERS}/{too_late['id']}/refund", headers=boss.headers)).json()[
        "status"
    ] == "refunded"


async def test_a_purchased_track_stays_downloadable_after_the_seller_deletes_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, product = await _beat(app, client)
    buyer = await member(app)
    await order(client, buyer, str(product["id"]))
    deleted = await client.delete(f"{API}/tracks/{product['track_id']}", headers=maker.headers)
    assert deleted.status_code == 200, deleted.text
    await run_task(app.state.jobs.context, SWEEP_FILES)
    urls = (await client.get(_download(str(product["id"])), headers=buyer.headers)).json()
    served = await client.get(next(iter(urls.values())).removeprefix("http://localhost:8080"))
    assert served.status_code == 200 and served.content == AUDIO

    # An unsold track's files still go.
    unsold = await sold_track(app, maker)
    assert (
        await client.delete(f"{API}/tracks/{unsold.id}", headers=maker.headers)
    ).status_code == 200
    await run_task(app.state.jobs.context, SWEEP_FILES)
    assert not await app.state.storage.exists(unsold.file_path or "")


async def test_a_track_on_sale_is_downloaded_from_playback_only_by_its_buyers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, product = await _beat(app, client)
    buyer, listener = await member(app), await member(app)
    url = f"{API}/tracks/{product['track_id']}/download"
    assert error(await client.get(url, headers=listener.headers), 403) == "LICENSE_REQUIRED"
    assert (await client.get(url, headers=maker.headers)).status_code == 200
    await order(client, buyer, str(product["id"]))
    assert (await client.get(url, headers=buyer.headers)).status_code == 200
    # A track not on sale downloads as before.
    free = await sold_track(app, maker)
    assert (
        await client.get(f"{API}/tracks/{free.id}/download", headers=listener.headers)
    ).status_code == 200


async def test_order_paid_is_published_once_per_paid_order(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[uuid.UUID] = []

    async def count(session: object, *, order_id: uuid.UUID, **_: object) -> None:
        published.append(order_id)

    monkeypatch.setitem(
        events._subscribers, events.ORDER_PAID, [*events.subscribers_of(events.ORDER_PAID), count]
    )
    _, product = await _beat(app, client)
    paid_at_once = (await order(client, await member(app), str(product["id"]))).json()
    app.state.settings.marketplace.sandbox_auto_pay = False
    pending = (await order(client, await member(app), str(product["id"]))).json()
    assert published == [uuid.UUID(paid_at_once["id"])]
    settings = app.state.settings.marketplace
    await settle_order(app.state.db, uuid.UUID(pending["id"]), "pay", settings)
    with pytest.raises(ValueError):
        await settle_order(app.state.db, uuid.UUID(pending["id"]), "pay", settings)
    assert published == [uuid.UUID(paid_at_once["id"]), uuid.UUID(pending["id"])]
