"""Each event of the catalogue reaches the webhooks of the user it concerns, from the place
that does the thing: uploads, processing, likes, comments, follows, playlists, orders."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.audio import AudioSamples
from tests.factories import create_track, member
from tests.helpers import API, Uploader, delete_own_account
from tests.marketplace.support import new_product, order, seller
from tests.webhooks.support import listening, register, run_jobs
from veza.kit import events
from veza.kit.db import write_transaction
from veza.models import Playlist, Webhook

ALL = [
    "track.uploaded",
    "track.processed",
    "track.failed",
    "track.liked",
    "track.commented",
    "user.followed",
    "playlist.updated",
    "order.paid",
]


def bodies(listener: Any) -> list[dict[str, Any]]:
    return [json.loads(received.body) for received in listener.requests]


async def test_upload_and_processing_are_delivered(
    app: FastAPI, client: httpx.AsyncClient, owner: Uploader, audio: AudioSamples
) -> None:
    creator = await member(app)
    creator.user, creator.headers = owner.user, owner.headers
    async with listening() as listener:
        await register(client, creator, listener.url, ALL)
        track = await owner.upload_track(audio.read("mp3"))
        await run_jobs(app)
        sent = bodies(listener)
    assert sorted(body["type"] for body in sent) == ["track.processed", "track.uploaded"]
    assert all(body["data"] == {"track_id": track["id"]} for body in sent)


async def test_likes_comments_and_failures_reach_the_tracks_creator(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator, fan = await member(app), await member(app)
    track = await create_track(app, creator)
    async with listening() as listener:
        await register(client, creator, listener.url, ALL)
        await register(client, fan, listener.url, ALL)  # the fan's own hooks hear nothing of it
        assert (
            await client.post(f"{API}/tracks/{track.id}/like", headers=fan.headers)
        ).status_code == 200
        await client.post(f"{API}/tracks/{track.id}/like", headers=fan.headers)  # not twice
        commented = await client.post(
            f"{API}/tracks/{track.id}/comments", headers=fan.headers, json={"content": "nice"}
        )
        assert commented.status_code == 201
        async with write_transaction(app.state.db) as session:
            await events.publish(
                session,
                events.TRACK_FAILED,
                track_id=track.id,
                creator_id=creator.id,
                message="bad",
            )
        await run_jobs(app)
        sent = {body["type"]: body["data"] for body in bodies(listener)}
    assert len(listener.requests) == 3
    assert sent["track.liked"] == {"track_id": str(track.id), "user_id": str(fan.id)}
    assert sent["track.commented"]["comment_id"] == commented.json()["data"]["comment"]["id"]
    assert sent["track.failed"] == {"track_id": str(track.id), "message": "bad"}


async def test_playlist_updates_reach_the_owner(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner, editor = await member(app), await member(app)
    playlist = Playlist(id=uuid.uuid4(), user_id=owner.id, title="Mix")
    async with app.state.db.writer() as session, session.begin():
        session.add(playlist)
    async with listening() as listener:
        await register(client, owner, listener.url, ALL)
        async with write_transaction(app.state.db) as session:
            await events.publish(
                session, events.PLAYLIST_UPDATED, playlist_id=playlist.id, actor_id=editor.id
            )
            await events.publish(session, events.PLAYLIST_UPDATED, playlist_id=uuid.uuid4())
        await run_jobs(app)
        sent = bodies(listener)
    assert [body["type"] for body in sent] == ["playlist.updated"]
    assert sent[0]["data"] == {"playlist_id": str(playlist.id), "actor_id": str(editor.id)}


async def test_a_paid_order_reaches_its_buyer_and_its_seller_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    maker, buyer, bystander = await seller(app), await member(app), await member(app)
    product = await new_product(client, maker)
    async with listening() as listener:
        for who in (maker, buyer, bystander):
            await register(client, who, listener.url, ALL)
        placed = await order(client, buyer, product["id"])
        assert placed.status_code == 201, placed.text
        async with write_transaction(app.state.db) as session:
            await events.publish(session, events.ORDER_PAID, order_id=uuid.uuid4())  # unknown
        await run_jobs(app)
        sent = bodies(listener)
    assert [body["type"] for body in sent] == ["order.paid", "order.paid"]
    assert {body["data"]["order_id"] for body in sent} == {placed.json()["id"]}


async def test_a_deleted_accounts_webhooks_go_with_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    await register(client, alice, "http://127.0.0.1:9/hook")
    assert (await delete_own_account(client, alice)).status_code == 200
    async with app.state.db.reader() as session:
        assert await session.scalar(select(Webhook)) is None
