"""GET /api/v1/dashboard: stats with their change against the previous period, the caller's and
followed users' public activity, the library preview; one request, a bounded number of
queries whatever the data."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import create_comment, create_track, member
from tests.helpers import API, block, data, error_code, follow
from veza.models import TrackLike, TrackPlay, utcnow


async def _like(app: FastAPI, user_id: object, track_id: object, days_ago: float) -> None:
    async with app.state.db.writer() as session, session.begin():
        session.add(
            TrackLike(
                user_id=user_id, track_id=track_id, created_at=utcnow() - timedelta(days=days_ago)
            )
        )


async def _play(app: FastAPI, user_id: object, track_id: object, days_ago: float) -> None:
    async with app.state.db.writer() as session, session.begin():
        session.add(
            TrackPlay(
                user_id=user_id, track_id=track_id, played_at=utcnow() - timedelta(days=days_ago)
            )
        )


async def _dashboard(client: httpx.AsyncClient, who: object, **params: object) -> dict:
    return data(await client.get(f"{API}/dashboard", headers=who.headers, params=params))  # type: ignore[attr-defined]


async def test_stats_count_the_period_and_compare_with_the_one_before(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, artist = await member(app), await member(app)
    tracks = [await create_track(app, artist) for _ in range(4)]
    for n, days in enumerate((1, 2, 3)):
        await _like(app, alice.id, tracks[n].id, days)
    await _like(app, alice.id, tracks[3].id, 10)  # the previous 7 days
    for days in (1, 1, 2, 9, 9):
        await _play(app, alice.id, tracks[0].id, days)
    stats = (await _dashboard(client, alice, stats_period="7d"))["stats"]
    assert stats["period"] == "7d"
    assert (stats["favorites"], stats["favorites_change"]) == (3, "+200%")
    assert (stats["tracks_played"], stats["tracks_played_change"]) == (3, "+50%")
    assert (stats["messages_sent"], stats["messages_sent_change"]) == (0, "n/a")
    everything = (await _dashboard(client, alice, stats_period="all"))["stats"]
    assert everything["favorites"] == 4 and everything["favorites_change"] == "n/a"
    default = (await _dashboard(client, alice))["stats"]
    assert default["period"] == "30d" and default["favorites"] == 4
    assert default["favorites_change"] == "n/a"  # nothing in the 30 days before


async def test_active_friends_and_recent_activity_come_from_followed_users(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, friend, stranger, blocker = [await member(app) for _ in range(4)]
    for target in (friend, blocker):
        await follow(client, alice, target)
    mine = await create_track(app, alice, title="My song")
    theirs = await create_track(app, friend, title="Friend song")
    await create_track(app, friend, title="Hidden", is_public=False)
    await create_track(app, stranger, title="Stranger song")
    await create_track(app, blocker, title="Blocked song")
    await block(client, blocker, alice)
    await create_comment(app, friend, mine.id)
    await _like(app, friend.id, mine.id, 0)
    board = await _dashboard(client, alice, activity_limit=10)
    assert board["stats"]["active_friends"] == 1
    titles = [item["description"] for item in board["recent_activity"]]
    assert set(titles) == {"My song", "Friend song"}
    kinds = {item["type"] for item in board["recent_activity"]}
    assert kinds == {"track_uploaded", "comment", "track_liked"}
    stamps = [item["timestamp"] for item in board["recent_activity"]]
    assert stamps == sorted(stamps, reverse=True)
    capped = await _dashboard(client, alice, activity_limit=2)
    assert len(capped["recent_activity"]) == 2
    assert theirs.id


async def test_library_preview_has_more_and_total(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, other = await member(app), await member(app)
    for n in range(4):
        await create_track(app, alice, title=f"Mine {n}", is_public=n % 2 == 0)
    await create_track(app, other)
    library = (await _dashboard(client, alice, library_limit=3))["library_preview"]
    assert library["total_count"] == 4 and library["has_more"] is True
    assert len(library["items"]) == 3 and library["items"][0]["title"] == "Mine 3"
    full = (await _dashboard(client, alice, library_limit=1000))["library_preview"]
    assert full["has_more"] is False and len(full["items"]) == 4


async def test_bad_periods_and_anonymous_callers_are_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    bad = await client.get(f"{API}/dashboard", headers=alice.headers, params={"stats_period": "1y"})
    assert error_code(bad, 400) == "VALIDATION_ERROR"
    assert (await client.get(f"{API}/dashboard")).status_code == 401


async def test_the_number_of_queries_does_not_grow_with_the_data(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    friends = [await member(app) for _ in range(3)]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    async def measure() -> int:
        statements.clear()
        event.listen(app.state.db.engine.sync_engine, "before_cursor_execute", count)
        try:
            await _dashboard(client, alice, activity_limit=50, library_limit=50)
        finally:
            event.remove(app.state.db.engine.sync_engine, "before_cursor_execute", count)
        return len(statements)

    await create_track(app, alice)
    small = await measure()
    for friend in friends:
        await follow(client, alice, friend)
        for _ in range(3):
            track = await create_track(app, friend)
            await create_comment(app, friend, track.id)
            await _like(app, friend.id, track.id, 0)
        await create_track(app, alice)
    assert await measure() == small
