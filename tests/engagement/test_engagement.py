"""Likes, reposts, plays, statistics and the users' likes and reposts tabs."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.engagement.support import client_from
from tests.factories import (
    admin,
    create_comment,
    create_track,
    member,
    set_user_fields,
    track_row,
)
from tests.helpers import API, block, data, delete_own_account, error_code, ids, notifications

# Likes -----------------------------------------------------------------------------------------


async def test_like_is_idempotent_counts_once_and_notifies_the_creator_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    track = await create_track(app, creator)
    url = f"{API}/tracks/{track.id}/like"

    for _ in range(2):
        assert data(await client.post(url, headers=fan.headers))["is_liked"] is True
    assert (await track_row(app, track.id)).like_count == 1
    inbox = await notifications(client, creator)
    assert [item["kind"] for item in inbox["notifications"]] == ["like"]
    assert inbox["notifications"][0]["actor_count"] == 1

    for _ in range(2):
        assert data(await client.delete(url, headers=fan.headers))["is_liked"] is False
    assert (await track_row(app, track.id)).like_count == 0


async def test_liking_your_own_track_notifies_nobody(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    track = await create_track(app, creator)
    assert (await client.post(f"{API}/tracks/{track.id}/like", headers=creator.headers)).is_success
    assert (await notifications(client, creator))["notifications"] == []
    assert (await track_row(app, track.id)).like_count == 1


async def test_like_refusals(app: FastAPI, client: httpx.AsyncClient) -> None:
    creator = await member(app)
    fan = await member(app)
    private = await create_track(app, creator, is_public=False)
    public = await create_track(app, creator)
    assert (await client.post(f"{API}/tracks/{public.id}/like")).status_code == 401
    hidden = await client.post(f"{API}/tracks/{private.id}/like", headers=fan.headers)
    assert error_code(hidden, 404) == "TRACK_NOT_FOUND"
    assert (await client.post(f"{API}/tracks/nope/like", headers=fan.headers)).status_code == 400
    assert (await block(client, creator, fan)).status_code == 200
    blocked = await client.post(f"{API}/tracks/{public.id}/like", headers=fan.headers)
    assert blocked.status_code == 404
    # Unliking is idempotent even for a track the caller cannot see (the contract has no 404).
    gone = await client.delete(f"{API}/tracks/{private.id}/like", headers=fan.headers)
    assert gone.status_code == 200


async def test_like_total_goes_only_to_the_creator_or_an_admin(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    moderator = await admin(app)
    track = await create_track(app, creator)
    await client.post(f"{API}/tracks/{track.id}/like", headers=fan.headers)
    url = f"{API}/tracks/{track.id}/likes"

    assert data(await client.get(url, headers=fan.headers)) == {"is_liked": True}
    assert data(await client.get(url, headers=creator.headers)) == {"is_liked": False, "count": 1}
    assert data(await client.get(url, headers=moderator.headers))["count"] == 1
    assert (await client.get(url)).status_code == 401


async def test_concurrent_likes_count_exactly_once_each(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fans = [await member(app) for _ in range(8)]
    track = await create_track(app, creator)
    url = f"{API}/tracks/{track.id}/like"

    responses = await asyncio.gather(*(client.post(url, headers=fan.headers) for fan in fans))
    assert all(response.status_code == 200 for response in responses)
    # The same user liking many times at once still counts once.
    repeats = await asyncio.gather(*(client.post(url, headers=fans[0].headers) for _ in range(6)))
    assert all(response.status_code == 200 for response in repeats)
    assert (await track_row(app, track.id)).like_count == len(fans)
    counted = data(await client.get(f"{API}/tracks/{track.id}/likes", headers=creator.headers))
    assert counted["count"] == len(fans)

    unliked = await asyncio.gather(*(client.delete(url, headers=fan.headers) for fan in fans))
    assert all(response.status_code == 200 for response in unliked)
    assert (await track_row(app, track.id)).like_count == 0


# Reposts ---------------------------------------------------------------------------------------


async def test_repost_is_idempotent_public_and_notifies_the_creator(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    track = await create_track(app, creator)
    url = f"{API}/tracks/{track.id}/repost"

    assert data(await client.get(url)) == {"is_reposted": False}
    for _ in range(2):
        assert data(await client.post(url, headers=fan.headers))["is_reposted"] is True
    assert data(await client.get(url, headers=fan.headers)) == {"is_reposted": True}
    assert data(await client.get(url)) == {"is_reposted": False}
    inbox = await notifications(client, creator)
    assert [item["kind"] for item in inbox["notifications"]] == ["repost"]

    for _ in range(2):
        assert data(await client.delete(url, headers=fan.headers))["is_reposted"] is False
    assert data(await client.get(url, headers=fan.headers)) == {"is_reposted": False}


async def test_self_repost_is_allowed_without_notification(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    track = await create_track(app, creator)
    done = await client.post(f"{API}/tracks/{track.id}/repost", headers=creator.headers)
    assert done.status_code == 200
    assert (await notifications(client, creator))["notifications"] == []


async def test_repost_refusals(app: FastAPI, client: httpx.AsyncClient) -> None:
    creator = await member(app)
    fan = await member(app)
    private = await create_track(app, creator, is_public=False)
    assert (await client.post(f"{API}/tracks/{private.id}/repost")).status_code == 401
    hidden = await client.post(f"{API}/tracks/{private.id}/repost", headers=fan.headers)
    assert hidden.status_code == 404
    assert (await client.get(f"{API}/tracks/{private.id}/repost")).status_code == 404
    bad_token = {"Authorization": "Bearer nonsense"}
    assert (
        await client.get(f"{API}/tracks/{private.id}/repost", headers=bad_token)
    ).status_code == 401


# Plays -----------------------------------------------------------------------------------------


async def test_rapid_repeats_by_the_same_listener_count_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    track = await create_track(app, creator, duration=200)
    url = f"{API}/tracks/{track.id}/play"

    first = data(await client.post(url, headers=fan.headers, json={"play_time": 30}))
    assert first["counted"] is True and first["id"]
    repeat = data(await client.post(url, headers=fan.headers))
    assert repeat == {"id": first["id"], "message": "Play already counted", "counted": False}
    assert (await track_row(app, track.id)).play_count == 1


async def test_the_same_address_counts_once_across_accounts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    one, two = await member(app), await member(app)
    track = await create_track(app, creator)
    url = f"{API}/tracks/{track.id}/play"
    async with client_from(app, "10.0.0.1") as same_place:
        assert data(await same_place.post(url, headers=one.headers))["counted"] is True
        assert data(await same_place.post(url, headers=two.headers))["counted"] is False
    async with client_from(app, "10.0.0.2") as elsewhere:
        assert data(await elsewhere.post(url, headers=two.headers))["counted"] is True
    assert (await track_row(app, track.id)).play_count == 2


async def test_a_play_counts_again_after_the_window(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from veza.models import PlayMark

    creator = await member(app)
    fan = await member(app)
    track = await create_track(app, creator)
    url = f"{API}/tracks/{track.id}/play"
    assert data(await client.post(url, headers=fan.headers))["counted"] is True
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(PlayMark).values(last_counted_at=datetime.now(UTC) - timedelta(seconds=31))
        )
    assert data(await client.post(url, headers=fan.headers))["counted"] is True
    assert (await track_row(app, track.id)).play_count == 2


async def test_the_periodic_sweep_removes_only_marks_older_than_the_window(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select, update

    from veza.engagement.tasks import sweep_play_marks
    from veza.models import PlayMark

    creator = await member(app)
    old_fan, recent_fan = await member(app), await member(app)
    track = await create_track(app, creator)
    url = f"{API}/tracks/{track.id}/play"
    async with client_from(app, "10.2.0.1") as http:
        assert data(await http.post(url, headers=old_fan.headers))["counted"] is True
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(PlayMark).values(last_counted_at=datetime.now(UTC) - timedelta(seconds=31))
        )
    async with client_from(app, "10.2.0.2") as http:
        assert data(await http.post(url, headers=recent_fan.headers))["counted"] is True

    assert await sweep_play_marks(app.state.jobs.context) == 2  # old_fan's user and address marks
    async with app.state.db.reader() as session:
        left = set(await session.scalars(select(PlayMark.listener)))
        assert await session.scalar(select(func.count()).select_from(PlayMark)) == 2
    assert f"u:{recent_fan.user.id}" in left
    assert f"u:{old_fan.user.id}" not in left
    # The recent listener is still inside the window; the swept one counts again.
    async with client_from(app, "10.2.0.2") as http:
        assert data(await http.post(url, headers=recent_fan.headers))["counted"] is False
    async with client_from(app, "10.2.0.1") as http:
        assert data(await http.post(url, headers=old_fan.headers))["counted"] is True
    assert (await track_row(app, track.id)).play_count == 3


async def test_concurrent_plays_count_each_listener_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fans = [await member(app) for _ in range(6)]
    track = await create_track(app, creator)
    url = f"{API}/tracks/{track.id}/play"

    async def play_from(index: int, times: int) -> list[httpx.Response]:
        async with client_from(app, f"10.1.0.{index}") as http:
            requests = [http.post(url, headers=fans[index].headers) for _ in range(times)]
            return list(await asyncio.gather(*requests))

    batches = await asyncio.gather(*(play_from(i, 3) for i in range(len(fans))))
    responses = [response for batch in batches for response in batch]
    assert all(response.status_code == 200 for response in responses)
    assert sum(response.json()["data"]["counted"] for response in responses) == len(fans)
    assert (await track_row(app, track.id)).play_count == len(fans)


async def test_play_refusals(app: FastAPI, client: httpx.AsyncClient) -> None:
    creator = await member(app)
    fan = await member(app)
    track = await create_track(app, creator)
    private = await create_track(app, creator, is_public=False)
    assert (await client.post(f"{API}/tracks/{track.id}/play")).status_code == 401
    negative = await client.post(
        f"{API}/tracks/{track.id}/play", headers=fan.headers, json={"play_time": -1}
    )
    assert negative.status_code == 400
    hidden = await client.post(f"{API}/tracks/{private.id}/play", headers=fan.headers)
    assert hidden.status_code == 404


# Statistics ------------------------------------------------------------------------------------


async def test_stats_are_full_for_the_owner_and_public_for_others(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    other = await member(app)
    track = await create_track(app, creator, duration=100)
    async with client_from(app, "10.2.0.1") as http:
        await http.post(
            f"{API}/tracks/{track.id}/play", headers=fan.headers, json={"play_time": 500}
        )
    async with client_from(app, "10.2.0.2") as http:
        await http.post(
            f"{API}/tracks/{track.id}/play", headers=other.headers, json={"play_time": 40}
        )
    await client.post(f"{API}/tracks/{track.id}/like", headers=fan.headers)
    await client.post(f"{API}/tracks/{track.id}/repost", headers=fan.headers)
    await create_comment(app, fan, track.id, content="!")
    url = f"{API}/tracks/{track.id}/stats"

    full = data(await client.get(url, headers=creator.headers))["stats"]
    assert full == {
        "track_id": str(track.id),
        "visibility": "full",
        "comment_count": 1,
        "repost_count": 1,
        "play_count": 2,
        "unique_listeners": 2,
        "like_count": 1,
        "download_count": 0,
        "total_play_time": 140,  # the first play_time is clamped to the duration
        "average_play_time": 70.0,
    }
    for headers in (fan.headers, {}):
        public = data(await client.get(url, headers=headers))["stats"]
        assert public == {
            "track_id": str(track.id),
            "visibility": "public",
            "comment_count": 1,
            "repost_count": 1,
        }
    moderator = await admin(app)
    assert data(await client.get(url, headers=moderator.headers))["stats"]["visibility"] == "full"


async def test_stats_of_a_hidden_track_are_not_found(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    private = await create_track(app, creator, is_public=False)
    assert (await client.get(f"{API}/tracks/{private.id}/stats")).status_code == 404


async def test_downloads_are_counted_once_per_download(
    app: FastAPI, client: httpx.AsyncClient, owner: object, audio: object
) -> None:
    from tests.audio import AudioSamples
    from tests.helpers import Uploader

    assert isinstance(owner, Uploader) and isinstance(audio, AudioSamples)
    track = await owner.upload_track(audio.read("mp3"))
    url = f"{API}/tracks/{track['id']}/download"
    assert (await client.get(url)).status_code == 200
    assert (await client.get(url, headers={"Range": "bytes=0-9"})).status_code == 206
    assert (await client.get(url, headers={"Range": "bytes=10-19"})).status_code == 206
    stats = data(await client.get(f"{API}/tracks/{track['id']}/stats", headers=owner.headers))
    assert stats["stats"]["download_count"] == 2


# The users' tabs -------------------------------------------------------------------------------


async def test_likes_tab_lists_visible_tracks_newest_like_first(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    viewer = await member(app)
    first = await create_track(app, creator)
    second = await create_track(app, creator)
    private = await create_track(app, fan, is_public=False)
    for track in (first, second, private):
        await client.post(f"{API}/tracks/{track.id}/like", headers=fan.headers)

    mine = data(await client.get(f"{API}/users/{fan.id}/likes", headers=fan.headers))
    assert [t["id"] for t in mine["tracks"]] == [str(private.id), str(second.id), str(first.id)]
    assert (mine["total"], mine["limit"], mine["offset"]) == (3, 20, 0)
    seen = await client.get(
        f"{API}/users/{fan.id}/likes", headers=viewer.headers, params={"limit": 1, "offset": 1}
    )
    assert ids(seen) == [str(first.id)]
    assert data(seen)["total"] == 2
    assert (await client.get(f"{API}/users/{fan.id}/likes")).status_code == 401


async def test_reposts_tab_is_public_and_hides_blocked_creators(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    troll = await member(app)
    fan = await member(app)
    viewer = await member(app)
    kept = await create_track(app, creator)
    trolling = await create_track(app, troll)
    for track in (kept, trolling):
        await client.post(f"{API}/tracks/{track.id}/repost", headers=fan.headers)
    assert (await block(client, viewer, troll)).status_code == 200

    assert set(ids(await client.get(f"{API}/users/{fan.id}/reposts"))) == {
        str(kept.id),
        str(trolling.id),
    }
    as_viewer = await client.get(f"{API}/users/{fan.id}/reposts", headers=viewer.headers)
    assert ids(as_viewer) == [str(kept.id)]


@pytest.mark.parametrize("tab", ["likes", "reposts"])
async def test_tabs_refuse_bad_paging_and_unknown_users(
    app: FastAPI, client: httpx.AsyncClient, tab: str
) -> None:
    viewer = await member(app)
    url = f"{API}/users/{viewer.id}/{tab}"
    assert (await client.get(url, headers=viewer.headers, params={"limit": 0})).status_code == 400
    assert (await client.get(url, headers=viewer.headers, params={"offset": -1})).status_code == 400
    unknown = f"{API}/users/00000000-0000-0000-0000-000000000000/{tab}"
    assert (await client.get(unknown, headers=viewer.headers)).status_code == 404


async def test_private_profiles_tabs_are_their_owners(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    shy = await member(app, is_public=False)
    viewer = await member(app)
    track = await create_track(app, creator)
    await client.post(f"{API}/tracks/{track.id}/repost", headers=shy.headers)
    assert ids(await client.get(f"{API}/users/{shy.id}/reposts", headers=shy.headers)) == [
        str(track.id)
    ]
    assert ids(await client.get(f"{API}/users/{shy.id}/reposts", headers=viewer.headers)) == []


async def test_deleting_an_account_removes_its_likes_and_plays(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    track = await create_track(app, creator)
    await client.post(f"{API}/tracks/{track.id}/like", headers=fan.headers)
    await client.post(f"{API}/tracks/{track.id}/play", headers=fan.headers)
    await client.post(f"{API}/tracks/{track.id}/repost", headers=fan.headers)
    assert (await delete_own_account(client, fan)).status_code == 200

    row = await track_row(app, track.id)
    assert (row.like_count, row.play_count) == (0, 0)
    stats = data(await client.get(f"{API}/tracks/{track.id}/stats", headers=creator.headers))
    assert stats["stats"]["repost_count"] == 0 and stats["stats"]["unique_listeners"] == 0


async def test_a_banned_users_reposts_no_longer_count(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    creator = await member(app)
    fan = await member(app)
    track = await create_track(app, creator)
    await client.post(f"{API}/tracks/{track.id}/repost", headers=fan.headers)
    await set_user_fields(app, fan.id, is_banned=True)
    stats = data(await client.get(f"{API}/tracks/{track.id}/stats"))
    assert stats["stats"]["repost_count"] == 0
