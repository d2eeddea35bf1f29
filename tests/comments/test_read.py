"""GET /tracks/{id}/comments and GET /comments/{id}/replies: order, pages, who sees what."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.comments.support import comment, replies, track_comments
from tests.factories import admin, create_track, member, set_track_fields, set_user_fields
from tests.helpers import API, block, delete_own_account
from veza.models import Track


async def test_top_level_comments_come_newest_first_in_pages(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    ids = [(await comment(client, owner, track.id, content=f"#{n}"))["id"] for n in range(5)]

    first = await track_comments(client, track.id, page=1, limit=2)
    last = await track_comments(client, track.id, page=3, limit=2)

    assert [item["id"] for item in first["comments"]] == ids[::-1][:2]
    assert [item["id"] for item in last["comments"]] == [ids[0]]
    assert first["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 5,
        "total_pages": 3,
        "has_next": True,
        "has_prev": False,
    }
    assert first["comment_count"] == 5


async def test_replies_come_oldest_first_in_pages_and_stay_out_of_the_top_level(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    parent = await comment(client, fan, track.id, content="Question")
    answers = [
        (await comment(client, owner, track.id, parent_id=parent["id"], content=f"#{n}"))["id"]
        for n in range(3)
    ]

    page_one = await replies(client, parent["id"], limit=2)
    page_two = await replies(client, parent["id"], limit=2, page=2)

    assert [item["id"] for item in page_one["replies"]] == answers[:2]
    assert [item["id"] for item in page_two["replies"]] == answers[2:]
    assert page_one["pagination"]["total"] == 3
    assert all(item["parent_id"] == parent["id"] for item in page_one["replies"])
    listed = await track_comments(client, track.id)
    assert [item["id"] for item in listed["comments"]] == [parent["id"]]
    assert listed["comments"][0]["reply_count"] == 3
    assert listed["comment_count"] == 4


async def test_replies_may_nest(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    top = await comment(client, owner, track.id)
    middle = await comment(client, owner, track.id, parent_id=top["id"])
    leaf = await comment(client, owner, track.id, parent_id=middle["id"])

    assert [item["id"] for item in (await replies(client, top["id"]))["replies"]] == [middle["id"]]
    assert [item["id"] for item in (await replies(client, middle["id"]))["replies"]] == [leaf["id"]]
    assert (await replies(client, middle["id"]))["replies"][0]["reply_count"] == 0


async def test_pagination_parameters_are_checked(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    parent = await comment(client, owner, track.id)

    for url in (f"{API}/tracks/{track.id}/comments", f"{API}/comments/{parent['id']}/replies"):
        assert (await client.get(url, params={"page": 0})).status_code == 400
        assert (await client.get(url, params={"limit": 0})).status_code == 400
        capped = await client.get(url, params={"limit": 500})
        assert capped.status_code == 200
        assert capped.json()["data"]["pagination"]["limit"] == 100


async def test_unknown_track_or_comment_is_not_found(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    missing_track = await client.get(f"{API}/tracks/{uuid.uuid4()}/comments")
    assert missing_track.status_code == 404
    assert missing_track.json()["error"]["code"] == "TRACK_NOT_FOUND"
    missing_comment = await client.get(f"{API}/comments/{uuid.uuid4()}/replies")
    assert missing_comment.status_code == 404
    assert missing_comment.json()["error"]["code"] == "COMMENT_NOT_FOUND"
    assert (await client.get(f"{API}/comments/123/replies")).status_code == 400
    assert (await client.get(f"{API}/tracks/123/comments")).status_code == 400


async def test_a_bad_token_is_refused_even_where_auth_is_optional(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    parent = await comment(client, owner, track.id)
    headers = {"Authorization": "Bearer not-a-token"}

    for url in (f"{API}/tracks/{track.id}/comments", f"{API}/comments/{parent['id']}/replies"):
        response = await client.get(url, headers=headers)
        assert response.status_code == 401


async def test_comments_of_a_private_track_are_only_for_who_may_see_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    stranger = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner, is_public=False)
    parent = await comment(client, owner, track.id)
    await comment(client, owner, track.id, parent_id=parent["id"])

    for viewer in (None, stranger):
        headers = viewer.headers if viewer else {}
        listed = await client.get(f"{API}/tracks/{track.id}/comments", headers=headers)
        assert listed.status_code == 404
        thread = await client.get(f"{API}/comments/{parent['id']}/replies", headers=headers)
        assert thread.status_code == 404
    for viewer in (owner, moderator):
        assert len((await track_comments(client, track.id, viewer))["comments"]) == 1
        assert len((await replies(client, parent["id"], viewer))["replies"]) == 1


async def test_a_track_made_private_hides_its_comments(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    await comment(client, fan, track.id)

    await set_track_fields(app, track.id, is_public=False)

    response = await client.get(f"{API}/tracks/{track.id}/comments", headers=fan.headers)
    assert response.status_code == 404


@pytest.mark.skipif(
    not hasattr(Track, "deleted_at"), reason="tracks are not soft-deleted yet (catalog issue)"
)
async def test_comments_of_a_soft_deleted_track_are_gone(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from veza.models import utcnow

    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    parent = await comment(client, fan, track.id)

    await set_track_fields(app, track.id, deleted_at=utcnow())

    for viewer in (fan, owner):
        listed = await client.get(f"{API}/tracks/{track.id}/comments", headers=viewer.headers)
        assert listed.status_code == 404
        thread = await client.get(f"{API}/comments/{parent['id']}/replies", headers=viewer.headers)
        assert thread.status_code == 404
    posted = await client.post(
        f"{API}/tracks/{track.id}/comments", headers=fan.headers, json={"content": "hi"}
    )
    assert posted.status_code == 404


async def test_blocked_users_comments_are_hidden_from_the_blocker_both_ways(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    troll = await member(app)
    listener = await member(app)
    bystander = await member(app)
    track = await create_track(app, owner)
    trolling = await comment(client, troll, track.id, content="meh")
    kind = await comment(client, listener, track.id, content="great")
    troll_reply = await comment(client, troll, track.id, parent_id=kind["id"])

    assert (await block(client, listener, troll)).status_code == 200

    seen_by_listener = await track_comments(client, track.id, listener)
    assert [item["id"] for item in seen_by_listener["comments"]] == [kind["id"]]
    assert seen_by_listener["comments"][0]["reply_count"] == 0
    assert seen_by_listener["comment_count"] == 1
    assert (await replies(client, kind["id"], listener))["replies"] == []
    hidden_thread = await client.get(
        f"{API}/comments/{trolling['id']}/replies", headers=listener.headers
    )
    assert hidden_thread.status_code == 404
    # The block hides the blocker from the blocked user too.
    seen_by_troll = await track_comments(client, track.id, troll)
    assert [item["id"] for item in seen_by_troll["comments"]] == [trolling["id"]]
    # Everyone else sees everything.
    for viewer in (bystander, None):
        data = await track_comments(client, track.id, viewer)
        assert {item["id"] for item in data["comments"]} == {trolling["id"], kind["id"]}
        assert data["comment_count"] == 3
        assert [r["id"] for r in (await replies(client, kind["id"], viewer))["replies"]] == [
            troll_reply["id"]
        ]


async def test_deleted_or_banned_users_comments_are_gone_from_lists(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    leaving = await member(app)
    banned = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner)
    await comment(client, leaving, track.id, content="bye")
    question = await comment(client, leaving, track.id, content="personal question")
    answer = await comment(client, owner, track.id, parent_id=question["id"], content="answer")
    await comment(client, banned, track.id, content="spam")

    deleted = await delete_own_account(client, leaving)
    assert deleted.status_code == 200, deleted.text
    await set_user_fields(app, banned.id, is_banned=True)

    for viewer in (None, owner, moderator):
        data = await track_comments(client, track.id, viewer)
        # Only the thread with a reply by someone else stays, its comment shown as deleted.
        (placeholder,) = data["comments"]
        assert placeholder["id"] == question["id"]
        assert placeholder["is_deleted"] is True
        assert placeholder["content"] == ""
        assert "user" not in placeholder and "user_id" not in placeholder
        assert placeholder["reply_count"] == 1
        assert data["comment_count"] == 1
        thread = await replies(client, question["id"], viewer)
        assert [item["id"] for item in thread["replies"]] == [answer["id"]]
