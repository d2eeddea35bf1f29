"""The home dashboard: one request, a fixed number of queries (ten), nothing written.

Stats, over ``stats_period`` (7d, 30d, 90d or all; 30d by default), each with its change
against the previous period of the same length ("+12%", "-5%", "+0%"; "n/a" when the previous
period counted nothing, and always for "all"):

- ``tracks_played``: plays the caller made (POST /tracks/{id}/play while signed in);
- ``favorites``: tracks the caller liked;
- ``active_friends``: users the caller follows who did something public (published a track,
  liked, reposted or commented on a track the caller may see);
- ``messages_sent``: 0, and "n/a": there is no messaging yet.

``recent_activity`` is the caller's own and followed users' public actions (uploads, likes,
reposts, comments on tracks listed for the caller), newest first; ``library_preview`` the
caller's own tracks, newest first, with their total.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.dashboard import repository, schemas
from veza.dashboard.repository import Window
from veza.kit.errors import ValidationFailed
from veza.kit.pagination import clamped_limit
from veza.models import TrackLike, TrackRepost, User, utcnow
from veza.users.schemas import display_name

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "all": None}
DEFAULT_PERIOD = "30d"
ACTIVITY_DEFAULT, ACTIVITY_MAX = 10, 50
LIBRARY_DEFAULT, LIBRARY_MAX = 5, 50
NOT_AVAILABLE = "n/a"


def window_of(period: str | None) -> tuple[str, Window]:
    name = period or DEFAULT_PERIOD
    if name not in PERIODS:
        raise ValidationFailed.field("stats_period", "must be one of 7d, 30d, 90d, all", period)
    days = PERIODS[name]
    if days is None:
        return name, Window(start=None, previous_start=None)
    start = utcnow() - timedelta(days=days)
    return name, Window(start=start, previous_start=start - timedelta(days=days))


def change(current: int, previous: int | None) -> str:
    if not previous:
        return NOT_AVAILABLE
    return f"{round((current - previous) * 100 / previous):+d}%"


async def _stats(session: AsyncSession, user: User, period: str | None) -> schemas.DashboardStats:
    name, window = window_of(period)
    played, played_before = await repository.plays(session, user, window)
    liked, liked_before = await repository.favorites(session, user, window)
    friends, friends_before = await repository.active_friends(session, user, window)
    return schemas.DashboardStats(
        period=name,
        tracks_played=played,
        tracks_played_change=change(played, played_before),
        favorites=liked,
        favorites_change=change(liked, liked_before),
        active_friends=friends,
        active_friends_change=change(friends, friends_before),
        messages_sent=0,
        messages_sent_change=NOT_AVAILABLE,
    )


def _item(
    kind: str, icon: str, actor: User | None, verb: str, row: Any, key: str
) -> dict[str, Any]:
    actor_id, track_id, title, at = row[0], row[1], row[2], row[3]
    name = display_name(actor) if actor is not None else "Someone"
    return {
        "id": f"{kind}:{key}",
        "type": kind,
        "title": f"{name} {verb}",
        "description": title,
        "icon": icon,
        "timestamp": at,
        "metadata": {"user_id": str(actor_id), "track_id": str(track_id), "track_title": title},
    }


async def _recent(session: AsyncSession, user: User, limit: int) -> list[schemas.RecentActivity]:
    uploads = await repository.recent_uploads(session, user, limit)
    likes = await repository.recent_pairs(session, user, TrackLike, limit)
    reposts = await repository.recent_pairs(session, user, TrackRepost, limit)
    comments = await repository.recent_comments(session, user, limit)
    people = await repository.usernames(
        session, {row[0] for rows in (uploads, likes, reposts, comments) for row in rows}
    )
    items = (
        [
            _item("track_uploaded", "upload", people.get(r[0]), "uploaded a track", r, str(r[1]))
            for r in uploads
        ]
        + [
            _item("track_liked", "heart", people.get(r[0]), "liked a track", r, f"{r[0]}:{r[1]}")
            for r in likes
        ]
        + [
            _item(
                "track_reposted",
                "repeat",
                people.get(r[0]),
                "reposted a track",
                r,
                f"{r[0]}:{r[1]}",
            )
            for r in reposts
        ]
        + [
            _item("comment", "message", people.get(r[0]), "commented on a track", r, str(r[4]))
            for r in comments
        ]
    )
    items.sort(key=lambda item: item["timestamp"], reverse=True)
    return [schemas.RecentActivity(**item) for item in items[:limit]]


async def _library(session: AsyncSession, user: User, limit: int) -> schemas.LibraryPreview:
    tracks, total = await repository.library(session, user, limit)
    return schemas.LibraryPreview(
        items=[
            schemas.TrackPreview(
                id=track.id,
                title=track.title,
                artist=track.artist,
                duration=track.duration,
                cover_art_path=track.cover_art_path,
                created_at=track.created_at,
                play_count=track.play_count,
                like_count=track.like_count,
            )
            for track in tracks
        ],
        has_more=total > len(tracks),
        total_count=total,
    )


async def dashboard(
    session: AsyncSession,
    user: User,
    *,
    activity_limit: int | None,
    library_limit: int | None,
    stats_period: str | None,
) -> schemas.DashboardResponse:
    return schemas.DashboardResponse(
        stats=await _stats(session, user, stats_period),
        recent_activity=await _recent(
            session,
            user,
            clamped_limit(activity_limit, default=ACTIVITY_DEFAULT, maximum=ACTIVITY_MAX),
        ),
        library_preview=await _library(
            session,
            user,
            clamped_limit(library_limit, default=LIBRARY_DEFAULT, maximum=LIBRARY_MAX),
        ),
    )
