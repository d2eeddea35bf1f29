"""GET /users, GET /users/search, GET /users/suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from tests.factories import admin, member, set_user_fields
from tests.helpers import API, block, follow
from tests.users.support import usernames


async def test_anonymous_lists_public_readable_profiles_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await member(app, username="pub_one")
    await member(app, username="priv_one", is_public=False)
    await member(app, username="banned_one", is_banned=True)
    await member(app, username="gone_one", deleted_at=datetime.now(UTC))
    response = await client.get(f"{API}/users", params={"sort_by": "username", "sort_order": "asc"})
    assert usernames(response) == ["pub_one"]
    item = response.json()["data"]["users"][0]
    assert "email" not in item and "social_links" not in item
    pagination = response.json()["data"]["pagination"]
    assert pagination["total"] == 1 and pagination["page"] == 1


async def test_a_user_sees_their_own_private_profile_in_the_list(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, username="priv_alice", is_public=False)
    await member(app, username="priv_other", is_public=False)
    response = await client.get(f"{API}/users", headers=alice.headers)
    assert usernames(response) == ["priv_alice"]


async def test_admin_lists_every_account_with_account_data(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    root = await admin(app)
    await member(app, username="priv_two", is_public=False)
    await member(app, username="banned_two", is_banned=True)
    await member(app, username="gone_two", deleted_at=datetime.now(UTC))
    response = await client.get(
        f"{API}/users", headers=root.headers, params={"sort_by": "email", "sort_order": "asc"}
    )
    names = usernames(response)
    assert {"priv_two", "banned_two", root.user.username} <= set(names)
    assert "gone_two" not in names
    assert all("email" in item for item in response.json()["data"]["users"])
    banned = await client.get(f"{API}/users", headers=root.headers, params={"search": "banned_t"})
    assert usernames(banned) == ["banned_two"]


async def test_filters_and_sorts(app: FastAPI, client: httpx.AsyncClient) -> None:
    await member(app, username="zed", role="creator")
    await member(app, username="amy", role="creator", first_name="Amelia")
    await member(app, username="bob_unverified", is_verified=False)
    creators = await client.get(
        f"{API}/users", params={"role": "creator", "sort_by": "username", "sort_order": "asc"}
    )
    assert usernames(creators) == ["amy", "zed"]
    unverified = await client.get(f"{API}/users", params={"is_verified": "false"})
    assert usernames(unverified) == ["bob_unverified"]
    by_name = await client.get(f"{API}/users", params={"search": "AMELIA"})
    assert usernames(by_name) == ["amy"]
    paged = await client.get(
        f"{API}/users", params={"sort_by": "username", "sort_order": "desc", "limit": 1, "page": 2}
    )
    assert usernames(paged) == ["bob_unverified"]
    assert paged.json()["data"]["pagination"]["total_pages"] == 3


async def test_unknown_or_private_sort_fields_are_400(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    unknown = await client.get(f"{API}/users", params={"sort_by": "password_hash"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"][0]["field"] == "sort_by"
    for field in ("email", "last_login_at"):
        private = await client.get(f"{API}/users", headers=alice.headers, params={"sort_by": field})
        assert private.status_code == 400
    assert (await client.get(f"{API}/users", params={"sort_order": "up"})).status_code == 400
    assert (await client.get(f"{API}/users", params={"page": 0})).status_code == 400


async def test_search_email_is_for_admins_only(app: FastAPI, client: httpx.AsyncClient) -> None:
    await member(app, username="mailonly", email="secret-handle@example.org")
    assert usernames(await client.get(f"{API}/users", params={"search": "secret-handle"})) == []


async def test_blocked_users_disappear_from_lists_both_ways(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app, username="blk_alice")
    bob = await member(app, username="blk_bob")
    await block(client, alice, bob)
    for viewer, hidden in ((alice, "blk_bob"), (bob, "blk_alice")):
        listed = usernames(await client.get(f"{API}/users", headers=viewer.headers))
        assert hidden not in listed
        found = usernames(
            await client.get(f"{API}/users/search", headers=viewer.headers, params={"q": "blk_"})
        )
        assert hidden not in found


async def test_search_matches_username_and_display_name(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await member(app, username="moonwalker")
    await member(app, username="dj_x", first_name="Luna", last_name="Moon")
    await member(app, username="moon")
    await member(app, username="moonlight_private", is_public=False)
    response = await client.get(f"{API}/users/search", params={"q": "MOON"})
    # The exact username first, then usernames starting with the query, then the rest.
    assert usernames(response) == ["moon", "moonwalker", "dj_x"]
    full_name = await client.get(f"{API}/users/search", params={"q": "luna moon"})
    assert usernames(full_name) == ["dj_x"]
    wildcard = await client.get(f"{API}/users/search", params={"q": "%"})
    assert usernames(wildcard) == []
    page = await client.get(f"{API}/users/search", params={"q": "moon", "limit": 1, "page": 2})
    assert usernames(page) == ["moonwalker"]
    assert page.json()["data"]["pagination"]["total"] == 3


async def test_search_without_a_query_finds_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await member(app)
    response = await client.get(f"{API}/users/search")
    assert usernames(response) == []
    too_long = await client.get(f"{API}/users/search", params={"q": "x" * 101})
    assert too_long.status_code == 400


async def test_suggestions_follow_the_declared_rule(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    now = datetime.now(UTC)
    me = await member(app, username="me", genres=["Jazz"])
    friend = await member(app, username="friend")
    friend_of_friend = await member(app, username="fof")
    await member(
        app, username="jazzy", role="creator", genres=["jazz"], created_at=now - timedelta(days=9)
    )
    await member(app, username="fresh", role="creator", created_at=now)
    await member(app, username="older", role="creator", created_at=now - timedelta(days=5))
    followed_creator = await member(app, username="followed", role="creator")
    blocked_creator = await member(app, username="blocked", role="creator")
    await member(app, username="private", role="creator", is_public=False)
    await member(app, username="plain_user")
    for target in (friend, followed_creator):
        await follow(client, me, target)
    await follow(client, friend, friend_of_friend)
    await follow(client, friend, followed_creator)
    await block(client, blocked_creator, me)

    response = await client.get(f"{API}/users/suggestions", headers=me.headers)
    assert response.status_code == 200
    items = response.json()["data"]["users"]
    assert [(item["username"], item["reason"]) for item in items] == [
        ("fof", "followed_by_people_you_follow"),
        ("jazzy", "shares_your_genres"),
        ("fresh", "new_creator"),
        ("older", "new_creator"),
    ]
    limited = await client.get(f"{API}/users/suggestions", headers=me.headers, params={"limit": 2})
    assert len(limited.json()["data"]["users"]) == 2
    clamped = await client.get(f"{API}/users/suggestions", headers=me.headers, params={"limit": 0})
    assert len(clamped.json()["data"]["users"]) == 1


async def test_suggestions_need_a_signed_in_user(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{API}/users/suggestions")).status_code == 401


async def test_banned_creators_are_never_suggested(app: FastAPI, client: httpx.AsyncClient) -> None:
    me = await member(app)
    creator = await member(app, username="soon_banned", role="creator")
    await set_user_fields(app, creator.id, is_banned=True)
    response = await client.get(f"{API}/users/suggestions", headers=me.headers)
    assert usernames(response) == []


async def test_search_never_lists_private_profiles_even_to_admins(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    root = await admin(app)
    await member(app, username="hidden_gem", is_public=False)
    await member(app, username="hidden_public")
    response = await client.get(f"{API}/users/search", headers=root.headers, params={"q": "hidden"})
    assert usernames(response) == ["hidden_public"]


async def test_admins_get_suggestions_by_the_same_rule(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    root = await admin(app)
    await member(app, username="new_artist", role="creator")
    response = await client.get(f"{API}/users/suggestions", headers=root.headers)
    assert usernames(response) == ["new_artist"]
