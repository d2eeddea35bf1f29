"""PUT /comments/{id} (the author only) and DELETE /tracks/{id}/comments/{comment_id}."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from tests.comments.support import comment, delete_comment, edit_comment, replies, track_comments
from tests.factories import admin, create_track, member
from tests.helpers import API, block


async def test_the_author_edits_a_comment(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    created = await comment(client, fan, track.id, content="frist", timestamp=12)

    response = await edit_comment(client, fan, created["id"], "  first!  ")

    assert response.status_code == 200, response.text
    edited = response.json()["data"]["comment"]
    assert edited["id"] == created["id"]
    assert edited["content"] == "  first!  "
    assert edited["timestamp"] == 12
    assert edited["is_edited"] is True
    assert edited["edited_at"].endswith("Z")
    listed = (await track_comments(client, track.id))["comments"][0]
    assert listed["content"] == "  first!  " and listed["is_edited"] is True


async def test_saving_the_same_content_is_not_an_edit(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    created = await comment(client, owner, track.id, content="same")

    response = await edit_comment(client, owner, created["id"], "same")

    assert response.status_code == 200
    assert response.json()["data"]["comment"]["is_edited"] is False


async def test_nobody_but_the_author_edits_a_comment(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    stranger = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner)
    created = await comment(client, fan, track.id, content="mine")

    for who in (owner, stranger, moderator):
        response = await edit_comment(client, who, created["id"], "hijacked")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "NOT_COMMENT_AUTHOR"
    assert (await track_comments(client, track.id))["comments"][0]["content"] == "mine"


async def test_editing_is_refused_without_auth_bad_content_or_a_live_comment(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    created = await comment(client, owner, track.id)

    anonymous = await client.put(f"{API}/comments/{created['id']}", json={"content": "x"})
    assert anonymous.status_code == 401
    for content in ("", "a" * 5001, "   "):
        assert (await edit_comment(client, owner, created["id"], content)).status_code == 400
    unknown = await edit_comment(client, owner, str(uuid.uuid4()), "x")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "COMMENT_NOT_FOUND"
    assert (await edit_comment(client, owner, "nope", "x")).status_code == 400
    assert (await delete_comment(client, owner, track.id, created["id"])).status_code == 200
    assert (await edit_comment(client, owner, created["id"], "back")).status_code == 404


async def test_author_track_owner_and_admin_may_delete(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner)
    by_author, by_owner, by_admin = [
        (await comment(client, fan, track.id, content=f"#{n}"))["id"] for n in range(3)
    ]

    for who, comment_id in ((fan, by_author), (owner, by_owner), (moderator, by_admin)):
        response = await delete_comment(client, who, track.id, comment_id)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"message": "Comment deleted"}

    data = await track_comments(client, track.id)
    assert data["comments"] == [] and data["comment_count"] == 0


async def test_others_may_not_delete_a_comment(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    fan = await member(app)
    stranger = await member(app)
    track = await create_track(app, owner)
    created = await comment(client, fan, track.id)

    response = await delete_comment(client, stranger, track.id, created["id"])

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    anonymous = await client.delete(f"{API}/tracks/{track.id}/comments/{created['id']}")
    assert anonymous.status_code == 401
    assert len((await track_comments(client, track.id))["comments"]) == 1


async def test_a_comment_hidden_from_the_caller_is_not_found_rather_than_forbidden(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    stranger = await member(app)
    track = await create_track(app, owner)
    created = await comment(client, fan, track.id)
    assert (await block(client, stranger, fan)).status_code == 200

    response = await delete_comment(client, stranger, track.id, created["id"])

    assert response.status_code == 404


async def test_the_track_owner_removes_a_comment_of_someone_they_blocked(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    troll = await member(app)
    bystander = await member(app)
    track = await create_track(app, owner)
    created = await comment(client, troll, track.id, content="rude")
    assert (await block(client, owner, troll)).status_code == 200

    response = await delete_comment(client, owner, track.id, created["id"])

    assert response.status_code == 200
    assert (await track_comments(client, track.id, bystander))["comments"] == []


async def test_deleting_an_unknown_comment_or_one_of_another_track_is_not_found(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    other = await create_track(app, owner)
    created = await comment(client, owner, track.id)

    for track_id, comment_id in (
        (track.id, str(uuid.uuid4())),
        (other.id, created["id"]),
    ):
        response = await delete_comment(client, owner, track_id, comment_id)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "COMMENT_NOT_FOUND"
    missing_track = await delete_comment(client, owner, uuid.uuid4(), created["id"])
    assert missing_track.status_code == 404
    assert missing_track.json()["error"]["code"] == "TRACK_NOT_FOUND"
    malformed = await client.delete(f"{API}/tracks/{track.id}/comments/nope", headers=owner.headers)
    assert malformed.status_code == 400
    assert (await delete_comment(client, owner, track.id, created["id"])).status_code == 200
    again = await delete_comment(client, owner, track.id, created["id"])
    assert again.status_code == 404


async def test_replies_of_a_deleted_comment_stay_under_a_deleted_parent(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    track = await create_track(app, owner)
    parent = await comment(client, fan, track.id, content="secret", timestamp=5)
    reply = await comment(client, owner, track.id, parent_id=parent["id"], content="answer")
    lonely = await comment(client, fan, track.id, content="no replies")

    assert (await delete_comment(client, fan, track.id, parent["id"])).status_code == 200
    assert (await delete_comment(client, fan, track.id, lonely["id"])).status_code == 200

    data = await track_comments(client, track.id)
    (placeholder,) = data["comments"]
    assert placeholder["id"] == parent["id"]
    assert placeholder["is_deleted"] is True
    assert placeholder["content"] == ""
    assert "user" not in placeholder and "user_id" not in placeholder
    assert placeholder["timestamp"] == 5
    assert placeholder["reply_count"] == 1
    assert data["comment_count"] == 1
    thread = await replies(client, parent["id"])
    assert [item["id"] for item in thread["replies"]] == [reply["id"]]
    assert thread["replies"][0]["content"] == "answer"

    # Once its last reply goes, the deleted comment leaves the list too.
    assert (await delete_comment(client, owner, track.id, reply["id"])).status_code == 200
    assert (await track_comments(client, track.id))["comments"] == []
    assert (await client.get(f"{API}/comments/{parent['id']}/replies")).status_code == 404
