"""Helpers of the marketplace tests: sellers, tracks with real audio in storage, products and
orders made through the API."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import Member, create_track, member
from tests.helpers import API
from veza.models import Track
from veza.tracks.keys import audio_file

PRODUCTS = f"{API}/marketplace/products"
ORDERS = f"{API}/marketplace/orders"
AUDIO = b"ID3" + b"\x00" * 61 + b"pretend mp3 frames" * 64


async def seller(app: FastAPI) -> Member:
    """A creator (who may sell)."""
    return await member(app, role="creator")


async def sold_track(app: FastAPI, owner: Member, **fields: Any) -> Track:
    """A completed track of ``owner`` whose audio file exists in storage."""
    track = await create_track(app, owner, **fields)
    key = audio_file(owner.id, track.id, 1, "mp3")
    await app.state.storage.put_bytes(key, AUDIO)
    from tests.factories import set_track_fields

    await set_track_fields(app, track.id, file_path=key, file_size=len(AUDIO))
    track.file_path = key
    return track


async def new_product(
    client: httpx.AsyncClient, who: Member, *, active: bool = True, **fields: Any
) -> dict[str, Any]:
    """A product of ``who`` (a pack at 9.99 unless ``fields`` say otherwise), put on sale."""
    body: dict[str, Any] = {"title": "Drum kit", "price": 9.99, "product_type": "pack"}
    body.update(fields)
    response = await client.post(PRODUCTS, json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    if active:
        product = await update(client, who, product["id"], status="active")
    return product


async def update(
    client: httpx.AsyncClient, who: Member, product_id: str, **fields: Any
) -> dict[str, Any]:
    response = await client.put(f"{PRODUCTS}/{product_id}", json=fields, headers=who.headers)
    assert response.status_code == 200, response.text
    product: dict[str, Any] = response.json()
    return product


async def order(
    client: httpx.AsyncClient,
    who: Member,
    *product_ids: str,
    license_id: str | None = None,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> httpx.Response:
    items = [
        {"product_id": pid, **({"license_id": license_id} if license_id else {})}
        for pid in product_ids
    ]
    return await client.post(
        ORDERS, json={"items": items, **body}, headers={**who.headers, **(headers or {})}
    )


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code
