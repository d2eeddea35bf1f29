"""Follows, blocks, profile completion and POST /users/me/upgrade-creator."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
from fastapi import FastAPI

from tests.factories import admin, member
from tests.helpers import API, block, follow, notifications
from tests.users.support import profile


async def test_follow_is_idempotent_and_counted(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app), await member(app)
    first = await follow(client, bob, alice)
    assert first.status_code == 200
    assert first.json()["data"] == {
        "message": "Following",
        "is_following": True,
        "follower_count": 1,
    }
    again = await follow(client, bob, alice)
    assert again.status_code == 200 and again.json()["data"]["follower_count"] == 1
    # One notification for the target, however often the button is pressed.
    assert len((await notifications(client, alice))["notifications"]) == 1
    bob_profile = (await profile(client, bob)).json()["data"]["profile"]
    assert bob_profile["following_count"] == 1


async def test_following_yourself_or_nobody_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    self_follow = await follow(client, alice, alice)
    assert self_follow.status_code == 400
    assert self_follow.json()["error"]["code"] == "CANNOT_FOLLOW_SELF"
    missing = await client.post(f"{API}/users/{uuid.uuid4()}/follow", headers=alice.headers)
    assert missing.status_code == 404
    assert (await client.post(f"{API}/users/{alice.id}/follow")).status_code == 401
    assert (await client.post(f"{API}/users/x/follow", headers=alice.headers)).status_code == 400


async def test_unfollow_is_idempotent(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app), await member(app)
    await follow(client, bob, alice)
    for _ in range(2):
        response = await client.delete(f"{API}/users/{alice.id}/follow", headers=bob.headers)
        assert response.status_code == 200
        assert response.json()["data"]["is_following"] is False
        assert response.json()["data"]["follower_count"] == 0
    unknown = await client.delete(f"{API}/users/{uuid.uuid4()}/follow", headers=bob.headers)
    assert unknown.status_code == 200
    self_unfollow = await client.delete(f"{API}/users/{bob.id}/follow", headers=bob.headers)
    assert self_unfollow.status_code == 400
    assert (await client.delete(f"{API}/users/{alice.id}/follow")).status_code == 401


async def test_admin_follows_like_anyone(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, root = await member(app), await admin(app)
    assert (await follow(client, root, alice)).status_code == 200


async def test_private_profiles_can_be_followed(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app, is_public=False), await member(app)
    assert (await follow(client, bob, alice)).status_code == 200


async def test_block_removes_follows_both_ways_and_refuses_new_ones(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await follow(client, alice, bob)
    await follow(client, bob, alice)
    response = await block(client, alice, bob)
    assert response.status_code == 200
    assert response.json()["data"]["is_blocked"] is True
    assert (await block(client, alice, bob)).status_code == 200  # idempotent
    counts = (await profile(client, alice)).json()["data"]["profile"]
    assert counts["follower_count"] == 0 and counts["following_count"] == 0
    blocker_follows = await follow(client, alice, bob)
    assert blocker_follows.status_code == 400
    assert blocker_follows.json()["error"]["code"] == "USER_BLOCKED"
    # The blocked user is not told: the blocker simply is not there for them.
    assert (await follow(client, bob, alice)).status_code == 404


async def test_blocking_yourself_or_nobody_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    self_block = await block(client, alice, alice)
    assert self_block.status_code == 400
    assert self_block.json()["error"]["code"] == "CANNOT_BLOCK_SELF"
    missing = await client.post(f"{API}/users/{uuid.uuid4()}/block", headers=alice.headers)
    assert missing.status_code == 404
    assert (await client.post(f"{API}/users/{alice.id}/block")).status_code == 401


async def test_unblock_is_idempotent_and_allows_following_again(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await block(client, alice, bob)
    for _ in range(2):
        response = await client.delete(f"{API}/users/{bob.id}/block", headers=alice.headers)
        assert response.status_code == 200
        assert response.json()["data"]["is_blocked"] is False
    assert (await follow(client, alice, bob)).status_code == 200
    assert (await follow(client, bob, alice)).status_code == 200
    self_unblock = await client.delete(f"{API}/users/{alice.id}/block", headers=alice.headers)
    assert self_unblock.status_code == 400
    assert (await client.delete(f"{API}/users/{bob.id}/block")).status_code == 401


async def test_unblocking_does_not_lift_the_other_sides_block(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await block(client, alice, bob)
    await client.delete(f"{API}/users/{alice.id}/block", headers=bob.headers)
    assert (await follow(client, bob, alice)).status_code == 404


async def test_owner_completion_counts_every_listed_field(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, bio="b", avatar="https://x.example/a.png", birthdate=date(1990, 1, 1))
    response = await client.get(f"{API}/users/{alice.id}/completion", headers=alice.headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["total_fields"] == 10
    assert data["percentage"] == 30
    assert set(data["completed_fields"]) == {"avatar", "bio", "birthdate"}
    assert "social_links" in data["missing_fields"]


async def test_completion_is_for_the_owner_and_administrators_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, bio="b", birthdate=date(1990, 1, 1))
    bob, root = await member(app), await admin(app)
    url = f"{API}/users/{alice.id}/completion"
    anonymous = await client.get(url)
    assert anonymous.status_code == 401
    others = await client.get(url, headers=bob.headers)
    assert others.status_code == 403 and others.json()["error"]["code"] == "FORBIDDEN"
    as_admin = await client.get(url, headers=root.headers)
    assert as_admin.status_code == 200
    assert as_admin.json()["data"]["total_fields"] == 10
    assert "birthdate" in as_admin.json()["data"]["completed_fields"]


async def test_completion_of_an_unknown_id_is_403_to_others_and_404_to_administrators(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bob, root = await member(app), await admin(app)
    url = f"{API}/users/{uuid.uuid4()}/completion"
    # Others learn nothing about which ids exist.
    assert (await client.get(url, headers=bob.headers)).status_code == 403
    assert (await client.get(url, headers=root.headers)).status_code == 404


async def test_completion_of_a_private_profile_is_the_owners(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, is_public=False)
    own = await client.get(f"{API}/users/{alice.id}/completion", headers=alice.headers)
    assert own.status_code == 200 and own.json()["data"]["total_fields"] == 10


async def test_upgrade_to_creator_happens_once(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    first = await client.post(f"{API}/users/me/upgrade-creator", headers=alice.headers)
    assert first.status_code == 200
    data = first.json()["data"]
    assert data["upgraded"] is True
    assert data["profile"]["role"] == "creator"
    stamped = data["profile"]["promoted_to_creator_at"]
    second = await client.post(f"{API}/users/me/upgrade-creator", headers=alice.headers)
    assert second.json()["data"]["upgraded"] is False
    assert second.json()["data"]["profile"]["promoted_to_creator_at"] == stamped
    assert (await profile(client, alice)).json()["data"]["profile"]["role"] == "creator"


async def test_upgrade_leaves_admins_as_they_are(app: FastAPI, client: httpx.AsyncClient) -> None:
    root = await admin(app)
    response = await client.post(f"{API}/users/me/upgrade-creator", headers=root.headers)
    assert response.json()["data"]["upgraded"] is False
    assert response.json()["data"]["profile"]["role"] == "admin"


async def test_upgrade_needs_a_signed_in_user(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.post(f"{API}/users/me/upgrade-creator")).status_code == 401


async def test_an_admin_blocks_like_anyone(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, root = await member(app), await admin(app)
    await follow(client, alice, root)
    assert (await block(client, root, alice)).status_code == 200
    assert (await follow(client, alice, root)).status_code == 404
