"""Rules of likes, reposts, plays and statistics, and the users' likes and reposts tabs.

Every track is reached through tracks/access.py (``listed_track``): what a caller may not see
cannot be liked, reposted, played or counted. Counters change by atomic SQL.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.comments.repository import comment_counts
from veza.engagement import repository, schemas
from veza.kit import events
from veza.kit.pagination import OffsetParams
from veza.models import User, utcnow
from veza.models.engagement import PLAY_DEDUP_WINDOW, TrackLike, TrackPlay, TrackRepost
from veza.notifications import service as notifications
from veza.tracks.access import listed_track
from veza.tracks.presenters import sees_counts, track_response
from veza.tracks.repository import add_to_counter
from veza.users.access import visible_user

TRACK = "track"
TAB_DEFAULT_LIMIT = 20


# Likes ---------------------------------------------------------------------------------------


async def like(session: AsyncSession, user: User, track_id: uuid.UUID) -> schemas.LikeResult:
    """Idempotent: a second like changes nothing and notifies nobody."""
    track = await listed_track(session, track_id, user)
    if await repository.add_pair(session, TrackLike, user.id, track.id, utcnow()):
        await add_to_counter(session, track.id, "like_count", 1)
        await notifications.notify(
            session, track.creator_id, user.id, notifications.LIKE, TRACK, track.id
        )
        await events.publish(
            session,
            events.TRACK_LIKED,
            track_id=track.id,
            creator_id=track.creator_id,
            user_id=user.id,
        )
    return schemas.LikeResult(message="Track liked", is_liked=True)


async def unlike(session: AsyncSession, user: User, track_id: uuid.UUID) -> schemas.LikeResult:
    """Idempotent, also for a track that is gone or hidden (the contract lists no 404)."""
    if await repository.remove_pair(session, TrackLike, user.id, track_id):
        await add_to_counter(session, track_id, "like_count", -1)
    return schemas.LikeResult(message="Track unliked", is_liked=False)


async def like_status(session: AsyncSession, user: User, track_id: uuid.UUID) -> schemas.LikeStatus:
    track = await listed_track(session, track_id, user)
    liked = await repository.has_pair(session, TrackLike, user.id, track.id)
    count = (
        await repository.counter_value(session, track.id, "like_count")
        if sees_counts(track, user)
        else None
    )
    return schemas.LikeStatus(is_liked=liked, count=count)


# Reposts -------------------------------------------------------------------------------------


async def repost(session: AsyncSession, user: User, track_id: uuid.UUID) -> schemas.RepostResult:
    """Idempotent; the creator hears of it (never of their own repost)."""
    track = await listed_track(session, track_id, user)
    if await repository.add_pair(session, TrackRepost, user.id, track.id, utcnow()):
        await notifications.notify(
            session, track.creator_id, user.id, notifications.REPOST, TRACK, track.id
        )
    return schemas.RepostResult(message="Track reposted", is_reposted=True)


async def unrepost(session: AsyncSession, user: User, track_id: uuid.UUID) -> schemas.RepostResult:
    await repository.remove_pair(session, TrackRepost, user.id, track_id)
    return schemas.RepostResult(message="Repost removed", is_reposted=False)


async def repost_status(
    session: AsyncSession, viewer: User | None, track_id: uuid.UUID
) -> schemas.RepostStatus:
    track = await listed_track(session, track_id, viewer)
    if viewer is None:
        return schemas.RepostStatus(is_reposted=False)
    return schemas.RepostStatus(
        is_reposted=await repository.has_pair(session, TrackRepost, viewer.id, track.id)
    )


# Plays ---------------------------------------------------------------------------------------


def _listeners(user: User, client_ip: str | None) -> list[str]:
    """Who is listening, as dedup keys: the account, and the client address (hashed)."""
    keys = [f"u:{user.id}"]
    if client_ip:
        digest = hashlib.sha256(f"veza-play:{client_ip}".encode()).hexdigest()
        keys.append(f"ip:{digest}")
    return keys


async def _claim_listeners(
    session: AsyncSession,
    track_id: uuid.UUID,
    listeners: list[str],
    now: datetime,
    cutoff: datetime,
) -> tuple[bool, uuid.UUID | None]:
    """Claim every listener's mark, or none: in a savepoint undone at the first mark still
    inside the window, so a repeat that is not counted does not restart anyone's window."""
    savepoint = await session.begin_nested()
    try:
        for listener in listeners:
            claimed, earlier = await repository.claim_play_mark(
                session, track_id, listener, now, cutoff
            )
            if not claimed:
                await savepoint.rollback()
                return False, earlier
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return True, None


async def record_play(
    session: AsyncSession,
    user: User,
    track_id: uuid.UUID,
    body: schemas.RecordPlayRequest | None,
    client_ip: str | None,
) -> schemas.PlayResult:
    """Count a play unless the same user or the same address had one of this track counted in
    the last 30 seconds (then it is acknowledged, not counted). ``play_time`` is clamped to the
    track's duration when that is known."""
    track = await listed_track(session, track_id, user)
    play_time = body.play_time if body is not None else None
    if play_time is not None and track.duration:
        play_time = min(play_time, track.duration)
    now = utcnow()
    window = PLAY_DEDUP_WINDOW
    listeners = _listeners(user, client_ip)
    claimed, earlier = await _claim_listeners(session, track.id, listeners, now, now - window)
    if not claimed:
        return schemas.PlayResult(
            id=str(earlier or ""), message="Play already counted", counted=False
        )
    play = TrackPlay(
        id=uuid.uuid4(), track_id=track.id, user_id=user.id, play_time=play_time, played_at=now
    )
    repository.add_play(session, play)
    await session.flush()
    await repository.set_mark_play(session, track.id, listeners, play.id)
    await add_to_counter(session, track.id, "play_count", 1)
    return schemas.PlayResult(id=str(play.id), message="Play recorded", counted=True)


# Statistics ----------------------------------------------------------------------------------


async def stats(
    session: AsyncSession, viewer: User | None, track_id: uuid.UUID
) -> schemas.StatsData:
    """Full figures for the creator and administrators; for everyone else only the public
    ones (comments and reposts), as play and like totals are private to the creator."""
    track = await listed_track(session, track_id, viewer)
    viewer_id = viewer.id if viewer is not None else None
    comments = (await comment_counts(session, [track.id], viewer_id))[track.id]
    reposts = await repository.count_pairs(session, TrackRepost, track.id)
    figures = schemas.TrackStats(
        track_id=track.id, visibility="public", comment_count=comments, repost_count=reposts
    )
    if sees_counts(track, viewer):
        listeners, total_time, average_time = await repository.play_figures(session, track.id)
        figures.visibility = "full"
        figures.play_count = int(track.play_count)
        figures.unique_listeners = listeners
        figures.like_count = int(track.like_count)
        figures.download_count = int(track.download_count)
        figures.total_play_time = total_time
        figures.average_play_time = average_time
    return schemas.StatsData(stats=figures)


# The users' likes and reposts tabs -----------------------------------------------------------


async def _tab(
    session: AsyncSession,
    viewer: User | None,
    user_id: uuid.UUID,
    model: Any,
    window: OffsetParams,
    public_url: str,
) -> schemas.UserTrackList:
    size, start = window.limit, window.offset
    owner = await visible_user(session, viewer, user_id)
    private = not owner.is_public and not (
        viewer is not None and (viewer.id == owner.id or viewer.is_administrator)
    )
    if private:  # a private profile's tabs are its owner's (and administrators') only
        return schemas.UserTrackList(tracks=[], limit=size, offset=start, total=0)
    tracks, total = await repository.tracks_of_pairs_page(
        session, model, owner.id, viewer, limit=size, offset=start
    )
    return schemas.UserTrackList(
        tracks=[track_response(track, public_url, viewer) for track in tracks],
        limit=size,
        offset=start,
        total=total,
    )


async def liked_tracks(
    session: AsyncSession,
    viewer: User,
    user_id: uuid.UUID,
    window: OffsetParams,
    *,
    public_url: str,
) -> schemas.UserTrackList:
    return await _tab(session, viewer, user_id, TrackLike, window, public_url)


async def reposted_tracks(
    session: AsyncSession,
    viewer: User | None,
    user_id: uuid.UUID,
    window: OffsetParams,
    *,
    public_url: str,
) -> schemas.UserTrackList:
    return await _tab(session, viewer, user_id, TrackRepost, window, public_url)
