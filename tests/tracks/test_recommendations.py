"""Recommendations: declarative, explainable, newest first, never one's own or blocked users'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from tests.factories import Member, create_track, member, set_user_fields
from tests.helpers import API, block, data, follow


async def recommended(
    client: httpx.AsyncClient, who: Member, **params: object
) -> list[tuple[str, list[str]]]:
    response = await client.get(f"{API}/tracks/recommendations", headers=who.headers, params=params)
    return [(item["id"], item["reasons"]) for item in data(response)["tracks"]]


def ago(minutes: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


async def test_seeded_recommendations_share_genre_tags_or_key_with_a_close_bpm(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    listener = await member(app)
    creator = await member(app)
    seed = await create_track(
        app, creator, genres=["house"], tags=["Night Drive"], musical_key="Am", bpm=124
    )
    same_genre = await create_track(app, creator, genre="House", created_at=ago(5))
    shared_tag = await create_track(app, creator, tags=["night drive", "x"], created_at=ago(4))
    close_key = await create_track(app, creator, musical_key="Am", bpm=128, created_at=ago(3))
    await create_track(app, creator, musical_key="Am", bpm=140, created_at=ago(2))  # too far
    await create_track(app, creator, genres=["jazz"], created_at=ago(1))
    both = await create_track(app, creator, genres=["house"], tags=["night drive"])
    await create_track(app, listener, genres=["house"])  # the listener's own: never
    await create_track(app, creator, genres=["house"], is_public=False)  # not visible

    got = await recommended(client, listener, seed_track_id=str(seed.id))
    assert got == [
        (str(both.id), ["same_genre", "shared_tags"]),
        (str(close_key.id), ["same_key_close_bpm"]),
        (str(shared_tag.id), ["shared_tags"]),
        (str(same_genre.id), ["same_genre"]),
    ]
    assert len(await recommended(client, listener, seed_track_id=str(seed.id), limit=2)) == 2


async def test_seed_refusals(app: FastAPI, client: httpx.AsyncClient) -> None:
    listener = await member(app)
    other = await member(app)
    private = await create_track(app, other, is_public=False)
    url = f"{API}/tracks/recommendations"
    assert (await client.get(url)).status_code == 401
    bad = await client.get(url, headers=listener.headers, params={"seed_track_id": "nope"})
    assert bad.status_code == 400
    hidden = await client.get(
        url, headers=listener.headers, params={"seed_track_id": str(private.id)}
    )
    assert hidden.status_code == 404


async def test_unseeded_recommendations_follow_creators_and_declared_genres(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    listener = await member(app)
    followed = await member(app)
    stranger = await member(app)
    blocked = await member(app)
    await set_user_fields(app, listener.id, genres=["Lo Fi"])
    assert (await follow(client, listener, followed)).status_code == 200
    assert (await follow(client, listener, blocked)).status_code == 200
    from_followed = await create_track(app, followed, created_at=ago(10))
    lofi = await create_track(app, stranger, genres=["lo-fi"], created_at=ago(5))
    both = await create_track(app, followed, genre="lo fi", created_at=ago(3))
    newest_other = await create_track(app, stranger, created_at=ago(1))
    await create_track(app, blocked, genres=["lo-fi"])
    await create_track(app, listener, genres=["lo-fi"])
    assert (await block(client, listener, blocked)).status_code == 200

    got = await recommended(client, listener)
    assert got == [
        (str(both.id), ["followed_creator", "your_genres"]),
        (str(lofi.id), ["your_genres"]),
        (str(from_followed.id), ["followed_creator"]),
        (str(newest_other.id), ["new_release"]),
    ]


async def test_recommendations_fall_back_to_new_releases(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    listener = await member(app)
    creator = await member(app)
    older = await create_track(app, creator, created_at=ago(2))
    newer = await create_track(app, creator, created_at=ago(1))
    assert await recommended(client, listener, limit=0) == [(str(newer.id), ["new_release"])]
    assert await recommended(client, listener) == [
        (str(newer.id), ["new_release"]),
        (str(older.id), ["new_release"]),
    ]
