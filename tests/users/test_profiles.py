"""GET /users/{id}, GET /users/by-username/{username}: who sees what of a profile."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
from fastapi import FastAPI

from tests.factories import admin, member, set_user_fields
from tests.helpers import API, block, follow
from tests.users.support import profile

PRIVATE_FIELDS = {"email", "birthdate", "last_login_at", "login_count", "is_banned", "is_admin"}


async def test_anonymous_sees_the_public_profile_without_private_fields(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(
        app, first_name="Alice", last_name="Liddell", bio="hi", birthdate=date(1990, 5, 4)
    )
    response = await profile(client, alice)
    assert response.status_code == 200
    data = response.json()["data"]["profile"]
    assert data["id"] == str(alice.id)
    assert data["username"] == alice.user.username
    assert data["display_name"] == "Alice Liddell"
    assert data["bio"] == "hi"
    assert data["follower_count"] == 0 and data["following_count"] == 0
    assert PRIVATE_FIELDS.isdisjoint(data)
    assert "password_hash" not in data and "token_version" not in data
    assert "is_following" not in data  # relations only for a signed-in viewer


async def test_owner_sees_email_birthdate_and_login_data(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, birthdate=date(1990, 5, 4), login_count=3)
    data = (await profile(client, alice, alice)).json()["data"]["profile"]
    assert data["email"] == alice.user.email
    assert data["birthdate"] == "1990-05-04"
    assert data["login_count"] == 3
    assert data["is_admin"] is False and data["is_banned"] is False
    assert data["created_at"].endswith("Z")


async def test_other_user_sees_the_public_view(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app), await member(app)
    data = (await profile(client, alice, bob)).json()["data"]["profile"]
    assert PRIVATE_FIELDS.isdisjoint(data)
    assert data["is_following"] is False and data["is_followed_by"] is False


async def test_admin_sees_the_owner_view_of_anyone(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, root = await member(app, birthdate=date(1990, 5, 4)), await admin(app)
    data = (await profile(client, alice, root)).json()["data"]["profile"]
    assert data["email"] == alice.user.email
    assert data["birthdate"] == "1990-05-04"


async def test_private_profile_shows_only_a_card_to_others(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, is_public=False, first_name="Alice", bio="secret bio")
    bob = await member(app)
    for viewer in (None, bob):
        data = (await profile(client, alice, viewer)).json()["data"]["profile"]
        assert data["username"] == alice.user.username
        assert data["is_public"] is False
        assert data["display_name"] == alice.user.username  # real names stay private
        assert "bio" not in data and "first_name" not in data and "email" not in data
        assert "follower_count" in data


async def test_owner_and_admin_see_a_private_profile_in_full(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, is_public=False, bio="secret bio")
    root = await admin(app)
    for viewer in (alice, root):
        data = (await profile(client, alice, viewer)).json()["data"]["profile"]
        assert data["bio"] == "secret bio"
        assert data["email"] == alice.user.email


async def test_profile_by_username_ignores_case(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app, username="AliceInChains")
    response = await client.get(f"{API}/users/by-username/aliceinchains")
    assert response.status_code == 200
    assert response.json()["data"]["profile"]["id"] == str(alice.id)


async def test_unknown_and_malformed_ids(app: FastAPI, client: httpx.AsyncClient) -> None:
    missing = await client.get(f"{API}/users/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "USER_NOT_FOUND"
    assert (await client.get(f"{API}/users/not-a-uuid")).status_code == 400
    assert (await client.get(f"{API}/users/by-username/nobody-here")).status_code == 404


async def test_banned_user_is_404_except_for_admins(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    banned, bob, root = await member(app, is_banned=True), await member(app), await admin(app)
    assert (await profile(client, banned)).status_code == 404
    assert (await profile(client, banned, bob)).status_code == 404
    by_name = await client.get(f"{API}/users/by-username/{banned.user.username}")
    assert by_name.status_code == 404
    assert (await profile(client, banned, root)).status_code == 200


async def test_user_blocked_by_the_target_gets_404(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app), await member(app)
    assert (await block(client, alice, bob)).status_code == 200
    assert (await profile(client, alice, bob)).status_code == 404
    by_name = await client.get(
        f"{API}/users/by-username/{alice.user.username}", headers=bob.headers
    )
    assert by_name.status_code == 404
    # The blocker still reaches the profile, where they can unblock.
    data = (await profile(client, bob, alice)).json()["data"]["profile"]
    assert data["is_blocked"] is True


async def test_profile_shows_counts_and_relations(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    await follow(client, bob, alice)
    await follow(client, carol, alice)
    await follow(client, alice, bob)
    data = (await profile(client, alice, bob)).json()["data"]["profile"]
    assert data["follower_count"] == 2
    assert data["following_count"] == 1
    assert data["is_following"] is True and data["is_followed_by"] is True


async def test_banned_followers_are_not_counted(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob = await member(app), await member(app)
    await follow(client, bob, alice)
    await set_user_fields(app, bob.id, is_banned=True)
    data = (await profile(client, alice)).json()["data"]["profile"]
    assert data["follower_count"] == 0


async def test_profile_by_username_gives_each_viewer_their_view(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, username="PrivateAlice", is_public=False, bio="mine")
    bob, root = await member(app), await admin(app)
    url = f"{API}/users/by-username/privatealice"
    own = (await client.get(url, headers=alice.headers)).json()["data"]["profile"]
    assert own["email"] == alice.user.email
    moderated = (await client.get(url, headers=root.headers)).json()["data"]["profile"]
    assert moderated["bio"] == "mine"
    card = (await client.get(url, headers=bob.headers)).json()["data"]["profile"]
    assert "bio" not in card and card["is_public"] is False


async def test_each_viewer_gets_the_bytes_fastapi_encodes_for_their_view(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """GET /users/{id} encodes its answer itself; GET /users/by-username/{username} lets
    FastAPI encode the response model: the two give the same bytes to every viewer."""
    alice = await member(
        app,
        first_name="Alice",
        bio="über 🎧",
        birthdate=date(1990, 5, 4),
        social_links={"site": "https://alice.example"},
        login_count=2,
    )
    private = await member(app, is_public=False, avatar="https://img.example/p.png")
    bob, carol, root = await member(app), await member(app), await admin(app)
    await follow(client, bob, alice)
    await follow(client, alice, bob)
    assert (await block(client, carol, alice)).status_code == 200
    assert (await block(client, private, carol)).status_code == 200
    for target in (alice, private):
        for viewer in (target, bob, carol, root):
            by_id = await profile(client, target, viewer)
            by_name = await client.get(
                f"{API}/users/by-username/{target.user.username}", headers=viewer.headers
            )
            assert by_id.status_code == by_name.status_code
            assert by_id.content == by_name.content, (target.user.username, by_id.text)
    # The blocker sees whom they blocked; the one blocked does not see the blocker.
    seen = (await profile(client, alice, carol)).json()["data"]["profile"]
    assert seen["is_blocked"] is True and seen["is_following"] is False
    assert (await profile(client, private, carol)).status_code == 404


async def test_relations_are_told_apart(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, dave = await member(app), await member(app)
    await follow(client, dave, alice)
    assert (await block(client, alice, dave)).status_code == 200  # the block ends the follow
    await client.delete(f"{API}/users/{dave.id}/block", headers=alice.headers)
    await follow(client, dave, alice)
    seen_by_dave = (await profile(client, alice, dave)).json()["data"]["profile"]
    assert (seen_by_dave["is_following"], seen_by_dave["is_followed_by"]) == (True, False)
    assert seen_by_dave["is_blocked"] is False
    seen_by_alice = (await profile(client, dave, alice)).json()["data"]["profile"]
    assert (seen_by_alice["is_following"], seen_by_alice["is_followed_by"]) == (False, True)
