"""POST /tracks/{id}/comments: who may comment, what a comment may hold, replies."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from tests.comments.support import comment, post_comment, track_comments
from tests.factories import admin, create_track, member
from tests.helpers import API, block


async def test_a_listener_comments_on_a_public_track(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app, first_name="Ada", last_name="Lovelace")
    track = await create_track(app, owner)

    response = await post_comment(client, fan, track.id, content="Love the drop", timestamp=42.5)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["success"] is True
    created = body["data"]["comment"]
    assert created["track_id"] == str(track.id)
    assert created["user_id"] == str(fan.id)
    assert created["user"] == {
        "id": str(fan.id),
        "username": fan.user.username,
        "display_name": "Ada Lovelace",
    }
    assert created["content"] == "Love the drop"
    assert created["timestamp"] == 42.5
    assert created["is_edited"] is False and created["is_deleted"] is False
    assert created["reply_count"] == 0
    assert "parent_id" not in created
    assert created["created_at"].endswith("Z")
    listed = await track_comments(client, track.id)
    assert [item["id"] for item in listed["comments"]] == [created["id"]]


async def test_content_is_stored_exactly_as_given(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    content = "  <b>not html</b>\n\tsecond line — ünïcödé 🎶  "

    created = await comment(client, owner, track.id, content=content)

    assert created["content"] == content
    listed = await track_comments(client, track.id)
    assert listed["comments"][0]["content"] == content


async def test_content_may_hold_5000_characters_but_not_more(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)

    longest = "🎵" * 5000  # characters, not bytes
    assert (await post_comment(client, owner, track.id, content=longest)).status_code == 201
    too_long = await post_comment(client, owner, track.id, content="a" * 5001)
    assert too_long.status_code == 400
    assert too_long.json()["error"]["details"][0]["field"] == "content"


async def test_empty_blank_or_unstorable_content_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)

    for content in ("", "   \n\t", "null\x00byte"):
        response = await post_comment(client, owner, track.id, content=content)
        assert response.status_code == 400, content
        assert response.json()["error"]["details"][0]["field"] == "content"
    missing = await client.post(
        f"{API}/tracks/{track.id}/comments", headers=owner.headers, json={"timestamp": 3}
    )
    assert missing.status_code == 400
    assert (await track_comments(client, track.id))["comments"] == []


async def test_timestamp_must_fall_within_the_track(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, duration=120)

    assert (await comment(client, owner, track.id, timestamp=0))["timestamp"] == 0
    assert (await comment(client, owner, track.id, timestamp=120))["timestamp"] == 120
    assert (await comment(client, owner, track.id))["timestamp"] == 0
    for bad in (120.5, -1, "soon"):
        response = await post_comment(client, owner, track.id, timestamp=bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]["details"][0]["field"] == "timestamp"
    for raw in (b"NaN", b"Infinity"):  # JSON extensions Python's parser accepts
        response = await client.post(
            f"{API}/tracks/{track.id}/comments",
            headers={**owner.headers, "Content-Type": "application/json"},
            content=b'{"content": "x", "timestamp": ' + raw + b"}",
        )
        assert response.status_code == 400, raw


async def test_timestamp_is_only_zero_while_the_duration_is_unknown(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, duration=None)

    assert (await post_comment(client, owner, track.id, timestamp=0)).status_code == 201
    response = await post_comment(client, owner, track.id, timestamp=1)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "timestamp"


async def test_a_reply_answers_a_comment_of_the_same_track(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    parent = await comment(client, fan, track.id, content="Where is this from?", timestamp=30)

    reply = await comment(client, owner, track.id, content="My garage", parent_id=parent["id"])

    assert reply["parent_id"] == parent["id"]
    # Without a timestamp of its own, a reply sits where the comment it answers does.
    assert reply["timestamp"] == 30
    explicit = await comment(client, owner, track.id, parent_id=parent["id"], timestamp=31)
    assert explicit["timestamp"] == 31
    listed = await track_comments(client, track.id)
    assert [item["id"] for item in listed["comments"]] == [parent["id"]]
    assert listed["comments"][0]["reply_count"] == 2


async def test_a_reply_to_a_comment_of_another_track_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    first = await create_track(app, owner)
    second = await create_track(app, owner)
    parent = await comment(client, owner, first.id)

    response = await post_comment(client, owner, second.id, parent_id=parent["id"])

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "parent_id"


async def test_a_reply_to_an_unknown_or_deleted_comment_is_not_found(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    parent = await comment(client, owner, track.id)
    deleted = await client.delete(
        f"{API}/tracks/{track.id}/comments/{parent['id']}", headers=owner.headers
    )
    assert deleted.status_code == 200

    for parent_id in (str(uuid.uuid4()), parent["id"]):
        response = await post_comment(client, owner, track.id, parent_id=parent_id)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "COMMENT_NOT_FOUND"
    malformed = await post_comment(client, owner, track.id, parent_id="not-a-uuid")
    assert malformed.status_code == 400


async def test_commenting_needs_a_signed_in_user(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    track = await create_track(app, owner)

    response = await client.post(f"{API}/tracks/{track.id}/comments", json={"content": "hi"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_unknown_track_is_not_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    fan = await member(app)

    response = await post_comment(client, fan, uuid.uuid4())

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "TRACK_NOT_FOUND"
    malformed = await client.post(
        f"{API}/tracks/nope/comments", headers=fan.headers, json={"content": "hi"}
    )
    assert malformed.status_code == 400


async def test_only_those_who_may_see_a_private_or_unfinished_track_comment_on_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    stranger = await member(app)
    moderator = await admin(app)
    private = await create_track(app, owner, is_public=False)
    processing = await create_track(app, owner, status="processing", duration=None)

    for track in (private, processing):
        refused = await post_comment(client, stranger, track.id)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "TRACK_NOT_FOUND"
        assert (await post_comment(client, owner, track.id)).status_code == 201
        assert (await post_comment(client, moderator, track.id)).status_code == 201


async def test_a_block_either_way_stops_comments_on_the_blockers_tracks(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    blocked = await member(app)
    blocker = await member(app)
    track = await create_track(app, owner)
    assert (await block(client, owner, blocked)).status_code == 200
    assert (await block(client, blocker, owner)).status_code == 200

    for who in (blocked, blocker):
        response = await post_comment(client, who, track.id)
        assert response.status_code == 404


async def test_posting_fast_is_rate_limited(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.settings.comments.posts_per_user = "2 per minute"
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)

    assert (await post_comment(client, fan, track.id)).status_code == 201
    assert (await post_comment(client, fan, track.id)).status_code == 201
    limited = await post_comment(client, fan, track.id)

    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["Retry-After"]) >= 1
    # The limit is per user: others still comment.
    assert (await post_comment(client, owner, track.id)).status_code == 201
    assert len((await track_comments(client, track.id))["comments"]) == 3
