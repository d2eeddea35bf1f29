"""Who hears of a comment: the track's owner, and the author of the comment replied to."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.comments.support import comment
from tests.factories import create_track, member
from tests.helpers import API, block, notifications


async def test_the_track_owner_hears_of_a_comment(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    fan = await member(app, first_name="Nina", last_name="Simone")
    track = await create_track(app, owner)

    await comment(client, fan, track.id)

    (item,) = (await notifications(client, owner))["notifications"]
    assert item["kind"] == "comment"
    assert item["object_type"] == "track" and item["object_id"] == str(track.id)
    assert item["message"] == "Nina Simone commented on your track"
    assert (await notifications(client, fan))["notifications"] == []


async def test_comments_by_several_people_are_grouped(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fans = [await member(app) for _ in range(3)]
    track = await create_track(app, owner)

    for fan in fans:
        await comment(client, fan, track.id)
    await comment(client, fans[0], track.id)

    (item,) = (await notifications(client, owner))["notifications"]
    assert item["actor_count"] == 3


async def test_a_reply_tells_the_parents_author_and_the_track_owner(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    asker = await member(app)
    helper = await member(app)
    track = await create_track(app, owner)
    question = await comment(client, asker, track.id)

    await comment(client, helper, track.id, parent_id=question["id"])

    (reply_note,) = (await notifications(client, asker))["notifications"]
    assert reply_note["kind"] == "reply"
    assert reply_note["object_type"] == "comment" and reply_note["object_id"] == question["id"]
    assert reply_note["actor"]["id"] == str(helper.id)
    owner_notes = (await notifications(client, owner))["notifications"]
    assert [(n["kind"], n["actor_count"]) for n in owner_notes] == [("comment", 2)]


async def test_a_track_owner_replied_to_on_their_track_hears_it_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    mine = await comment(client, owner, track.id)

    await comment(client, fan, track.id, parent_id=mine["id"])

    (item,) = (await notifications(client, owner))["notifications"]
    assert item["kind"] == "reply"


async def test_nobody_hears_of_their_own_comments(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    mine = await comment(client, owner, track.id)

    await comment(client, owner, track.id, parent_id=mine["id"])

    assert (await notifications(client, owner))["notifications"] == []


async def test_a_reply_across_a_block_is_refused_so_nobody_is_notified(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    fan_comment = await comment(client, fan, track.id)
    assert (await block(client, fan, owner)).status_code == 200

    response = await client.post(
        f"{API}/tracks/{track.id}/comments",
        headers=owner.headers,
        json={"content": "hey", "parent_id": fan_comment["id"]},
    )

    assert response.status_code == 404
    assert (await notifications(client, fan))["notifications"] == []
