"""The notification store: grouping, visibility, GET /notifications, POST /notifications/read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from tests.factories import admin, age_notifications, member
from tests.helpers import API, block, delete_own_account, follow, notifications
from veza.notifications import service


async def notify_like(
    app: FastAPI, recipient_id: uuid.UUID, actor_id: uuid.UUID, track: uuid.UUID
) -> None:
    """What the catalog domain will do when a track is liked."""
    async with app.state.db.writer() as session, session.begin():
        await service.notify(session, recipient_id, actor_id, service.LIKE, "track", track)


async def test_a_follow_notifies_its_target(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    bob = await member(app, first_name="Bob", last_name="Dylan")
    await follow(client, bob, alice)
    data = await notifications(client, alice)
    assert data["unread_count"] == 1
    (item,) = data["notifications"]
    assert item["kind"] == "follow"
    assert item["object_type"] == "user" and item["object_id"] == str(alice.id)
    assert item["actor"]["id"] == str(bob.id)
    assert item["actor"]["display_name"] == "Bob Dylan"
    assert item["message"] == "Bob Dylan followed you"
    assert item["actor_count"] == 1 and item["others_count"] == 0
    assert item["is_read"] is False
    assert (await notifications(client, bob))["notifications"] == []


async def test_repeats_are_grouped(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    fans = [await member(app) for _ in range(4)]
    for fan in fans:
        await follow(client, fan, alice)
    data = await notifications(client, alice)
    (item,) = data["notifications"]
    assert item["actor_count"] == 4 and item["others_count"] == 3
    assert item["actor"]["id"] == str(fans[-1].id)  # the latest first
    assert len(item["actors"]) == 3
    assert item["message"] == f"{fans[-1].user.username} and 3 others followed you"
    assert data["unread_count"] == 1


async def test_two_actors_are_both_named(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    await follow(client, bob, alice)
    await follow(client, carol, alice)
    (item,) = (await notifications(client, alice))["notifications"]
    assert item["message"] == f"{carol.user.username} and {bob.user.username} followed you"


async def test_likes_on_one_track_group_and_other_tracks_do_not(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    track, other_track = uuid.uuid4(), uuid.uuid4()
    await notify_like(app, alice.id, bob.id, track)
    await notify_like(app, alice.id, carol.id, track)
    await notify_like(app, alice.id, bob.id, other_track)
    items = (await notifications(client, alice))["notifications"]
    assert len(items) == 2
    grouped = next(item for item in items if item["object_id"] == str(track))
    assert grouped["message"].endswith("liked your track")
    assert grouped["actor_count"] == 2


async def test_nobody_is_notified_of_their_own_actions(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    await notify_like(app, alice.id, alice.id, uuid.uuid4())
    assert (await notifications(client, alice))["notifications"] == []


async def test_undoing_and_redoing_does_not_notify_again(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await follow(client, bob, alice)
    await client.post(f"{API}/notifications/read", headers=alice.headers, json={"all": True})
    await client.delete(f"{API}/users/{alice.id}/follow", headers=bob.headers)
    await follow(client, bob, alice)
    data = await notifications(client, alice)
    assert len(data["notifications"]) == 1 and data["unread_count"] == 0


async def test_a_read_group_is_not_reopened(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    await follow(client, bob, alice)
    await client.post(f"{API}/notifications/read", headers=alice.headers, json={"all": True})
    await follow(client, carol, alice)
    data = await notifications(client, alice)
    assert [item["actor_count"] for item in data["notifications"]] == [1, 1]
    assert data["unread_count"] == 1


async def test_events_after_the_window_start_a_new_group(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    await follow(client, bob, alice)
    await age_notifications(app, alice.id, datetime.now(UTC) - timedelta(days=2))
    await follow(client, carol, alice)
    data = await notifications(client, alice)
    assert len(data["notifications"]) == 2
    assert data["notifications"][0]["actor"]["id"] == str(carol.id)  # newest activity first


async def test_blocked_actors_are_hidden_and_stop_notifying(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    track = uuid.uuid4()
    await notify_like(app, alice.id, bob.id, track)
    await notify_like(app, alice.id, carol.id, track)
    await block(client, alice, bob)
    (item,) = (await notifications(client, alice))["notifications"]
    assert item["actor_count"] == 1 and item["actor"]["id"] == str(carol.id)
    await notify_like(app, alice.id, bob.id, uuid.uuid4())
    await notify_like(app, bob.id, alice.id, uuid.uuid4())
    assert len((await notifications(client, alice))["notifications"]) == 1
    assert (await notifications(client, bob))["notifications"] == []


async def test_a_group_whose_only_actor_is_hidden_disappears(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await follow(client, bob, alice)
    await block(client, alice, bob)
    data = await notifications(client, alice)
    assert data["notifications"] == [] and data["unread_count"] == 0


async def test_deleting_an_account_removes_its_notifications(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    await follow(client, bob, alice)
    await follow(client, alice, carol)
    await delete_own_account(client, bob)
    assert (await notifications(client, alice))["notifications"] == []
    await delete_own_account(client, carol)
    # carol's notifications went with her; alice's follow of carol is gone too.
    assert (await notifications(client, alice))["unread_count"] == 0


async def test_mark_some_read_then_all(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    for _ in range(3):
        await notify_like(app, alice.id, (await member(app)).id, uuid.uuid4())
    items = (await notifications(client, alice))["notifications"]
    first = items[0]["id"]
    response = await client.post(
        f"{API}/notifications/read", headers=alice.headers, json={"ids": [first]}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"updated": 1, "unread_count": 2}
    unread = await notifications(client, alice, unread_only="true")
    assert first not in {item["id"] for item in unread["notifications"]}
    assert len(unread["notifications"]) == 2
    everything = await client.post(
        f"{API}/notifications/read", headers=alice.headers, json={"all": True}
    )
    assert everything.json()["data"] == {"updated": 2, "unread_count": 0}
    read = (await notifications(client, alice))["notifications"][0]
    assert read["is_read"] is True and read["read_at"].endswith("Z")


async def test_nobody_marks_someone_elses_notifications(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    await follow(client, bob, alice)
    (item,) = (await notifications(client, alice))["notifications"]
    response = await client.post(
        f"{API}/notifications/read", headers=bob.headers, json={"ids": [item["id"]]}
    )
    assert response.json()["data"]["updated"] == 0
    assert (await notifications(client, alice))["unread_count"] == 1


async def test_an_admin_sees_only_their_own_notifications(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob, root = await member(app), await member(app), await admin(app)
    await follow(client, bob, alice)
    assert (await notifications(client, root))["notifications"] == []


async def test_mark_read_needs_ids_or_all(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    for body in ({}, {"ids": []}, {"all": False}, {"ids": ["nope"]}):
        response = await client.post(f"{API}/notifications/read", headers=alice.headers, json=body)
        assert response.status_code == 400, body


async def test_notifications_need_a_signed_in_user(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{API}/notifications")).status_code == 401
    assert (await client.post(f"{API}/notifications/read", json={"all": True})).status_code == 401


async def test_notifications_are_paginated(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    for _ in range(3):
        await notify_like(app, alice.id, (await member(app)).id, uuid.uuid4())
    data = await notifications(client, alice, limit=2, page=2)
    assert len(data["notifications"]) == 1
    assert data["pagination"]["total"] == 3 and data["pagination"]["total_pages"] == 2
    assert data["unread_count"] == 3
