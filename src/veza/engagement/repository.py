"""Queries of likes, reposts and plays.

Counters change by atomic SQL (``SET n = n + 1``) only when a row was really inserted or
deleted (``INSERT ... ON CONFLICT DO NOTHING`` / ``DELETE`` report it), so N concurrent likes
of N users give exactly N, and repeated ones change nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import dialect_insert, insert_ignoring_duplicates, page, rowcount
from veza.models import Track, User
from veza.models.engagement import PlayMark, TrackLike, TrackPlay, TrackRepost
from veza.tracks.repository import add_to_counter, listed_tracks
from veza.users.repository import author_is_readable

PairModel = type[TrackLike] | type[TrackRepost]


# Likes and reposts ---------------------------------------------------------------------------


async def add_pair(
    session: AsyncSession, model: PairModel, user_id: uuid.UUID, track_id: uuid.UUID, now: datetime
) -> bool:
    """Insert the (user, track) row; False when it already existed (a concurrent duplicate
    waits for the first to commit, then does nothing)."""
    statement = insert_ignoring_duplicates(
        session, model, user_id=user_id, track_id=track_id, created_at=now
    )
    return rowcount(await session.execute(statement)) == 1


async def remove_pair(
    session: AsyncSession, model: PairModel, user_id: uuid.UUID, track_id: uuid.UUID
) -> bool:
    result = await session.execute(
        delete(model).where(model.user_id == user_id, model.track_id == track_id)
    )
    return rowcount(result) == 1


async def has_pair(
    session: AsyncSession, model: PairModel, user_id: uuid.UUID, track_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(func.count()).where(model.user_id == user_id, model.track_id == track_id)
    )
    return bool(found)


async def count_pairs(session: AsyncSession, model: PairModel, track_id: uuid.UUID) -> int:
    """Rows of readable users (a banned or deleted account's reposts no longer count)."""
    count = await session.scalar(
        select(func.count()).where(model.track_id == track_id, author_is_readable(model.user_id))
    )
    return int(count or 0)


async def counter_value(session: AsyncSession, track_id: uuid.UUID, column: str) -> int:
    value = await session.scalar(select(getattr(Track, column)).where(Track.id == track_id))
    return int(value or 0)


async def tracks_of_pairs_page(
    session: AsyncSession,
    model: PairModel,
    user_id: uuid.UUID,
    viewer: User | None,
    *,
    limit: int,
    offset: int,
) -> tuple[list[Track], int]:
    """Tracks the user liked (or reposted) that the viewer may see, the newest action first."""
    joined = listed_tracks(viewer).join(model, model.track_id == Track.id)
    joined = joined.where(model.user_id == user_id)
    return await page(
        session, joined, [model.created_at.desc(), Track.id.desc()], offset=offset, limit=limit
    )


# Plays ---------------------------------------------------------------------------------------


async def claim_play_mark(
    session: AsyncSession, track_id: uuid.UUID, listener: str, now: datetime, cutoff: datetime
) -> tuple[bool, uuid.UUID | None]:
    """Claim the listener's mark on the track: (True, None) when no play of theirs was counted
    since ``cutoff`` (the mark now says ``now``); otherwise (False, the play that was counted).

    One conditional upsert: of concurrent claims by the same listener exactly one wins (on
    PostgreSQL the others wait on the row and then see the new time).
    """
    insert = dialect_insert(session, PlayMark).values(
        track_id=track_id, listener=listener, last_counted_at=now, play_id=None
    )
    statement = insert.on_conflict_do_update(
        index_elements=["track_id", "listener"],
        set_={"last_counted_at": now, "play_id": None},
        where=PlayMark.last_counted_at <= cutoff,
    )
    if rowcount(await session.execute(statement)) == 1:
        return True, None
    play_id: uuid.UUID | None = await session.scalar(
        select(PlayMark.play_id).where(PlayMark.track_id == track_id, PlayMark.listener == listener)
    )
    return False, play_id


async def set_mark_play(
    session: AsyncSession, track_id: uuid.UUID, listeners: list[str], play_id: uuid.UUID
) -> None:
    await session.execute(
        update(PlayMark)
        .where(PlayMark.track_id == track_id, PlayMark.listener.in_(listeners))
        .values(play_id=play_id)
    )


async def delete_play_marks_before(session: AsyncSession, cutoff: datetime) -> int:
    """Remove the marks last claimed at or before ``cutoff`` (a claim treats them as absent)."""
    result = await session.execute(delete(PlayMark).where(PlayMark.last_counted_at <= cutoff))
    return rowcount(result)


def add_play(session: AsyncSession, play: TrackPlay) -> None:
    session.add(play)


async def play_figures(session: AsyncSession, track_id: uuid.UUID) -> tuple[int, int, float]:
    """(unique listeners, total play time, average play time over the plays reporting one)."""
    row = (
        await session.execute(
            select(
                func.count(func.distinct(TrackPlay.user_id)),
                func.coalesce(func.sum(TrackPlay.play_time), 0),
                func.count(TrackPlay.play_time),
            ).where(TrackPlay.track_id == track_id)
        )
    ).one()
    listeners, total, reported = (int(value or 0) for value in row)
    average = round(total / reported, 2) if reported else 0.0
    return listeners, total, average


# Account deletion ----------------------------------------------------------------------------


async def remove_engagement_of(session: AsyncSession, user_id: uuid.UUID) -> None:
    """A deleted account's likes, reposts and plays go; the like and play
    counters of the tracks concerned drop by what was removed."""
    for model, column in ((TrackLike, "like_count"), (TrackPlay, "play_count")):
        counts = await session.execute(
            select(model.track_id, func.count())
            .where(model.user_id == user_id)
            .group_by(model.track_id)
        )
        for track_id, count in counts.all():
            await add_to_counter(session, track_id, column, -int(count))
        await session.execute(delete(model).where(model.user_id == user_id))
    await session.execute(delete(TrackRepost).where(TrackRepost.user_id == user_id))
    await session.execute(delete(PlayMark).where(PlayMark.listener == f"u:{user_id}"))
