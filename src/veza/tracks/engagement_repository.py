"""Queries of likes, reposts, plays, share links and lyrics.

Counters change by atomic SQL (``SET n = n + 1``) only when a row was really inserted or
deleted (``INSERT ... ON CONFLICT DO NOTHING`` / ``DELETE`` report it), so N concurrent likes
of N users give exactly N, and repeated ones change nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import Track, User
from veza.models.engagement import PlayMark, TrackLike, TrackPlay, TrackRepost, TrackShare
from veza.models.track import TrackLyrics
from veza.tracks.repository import visible_condition
from veza.users.repository import author_is_readable

PairModel = type[TrackLike] | type[TrackRepost]


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# Likes and reposts ---------------------------------------------------------------------------


async def add_pair(
    session: AsyncSession, model: PairModel, user_id: uuid.UUID, track_id: uuid.UUID, now: datetime
) -> bool:
    """Insert the (user, track) row; False when it already existed (a concurrent duplicate
    waits for the first to commit, then does nothing)."""
    statement = (
        _insert(session, model)
        .values(user_id=user_id, track_id=track_id, created_at=now)
        .on_conflict_do_nothing()
    )
    return _rowcount(await session.execute(statement)) == 1


async def remove_pair(
    session: AsyncSession, model: PairModel, user_id: uuid.UUID, track_id: uuid.UUID
) -> bool:
    result = await session.execute(
        delete(model).where(model.user_id == user_id, model.track_id == track_id)
    )
    return _rowcount(result) == 1


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


async def add_to_counter(
    session: AsyncSession, track_id: uuid.UUID, column: str, delta: int
) -> None:
    """``UPDATE tracks SET <column> = <column> + delta`` (never below zero)."""
    counter = getattr(Track, column)
    value = counter + delta
    if delta < 0:
        postgres = session.get_bind().dialect.name == "postgresql"
        value = (func.greatest if postgres else func.max)(counter + delta, 0)
    await session.execute(
        update(Track)
        .where(Track.id == track_id)
        .values({column: value})
        .execution_options(synchronize_session=False)
    )


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
    conditions: list[ColumnElement[bool]] = [model.user_id == user_id, visible_condition(viewer)]
    joined = select(Track).join(model, model.track_id == Track.id).where(*conditions)
    total = await session.scalar(
        select(func.count())
        .select_from(model)
        .join(Track, Track.id == model.track_id)
        .where(*conditions)
    )
    rows = await session.scalars(
        joined.order_by(model.created_at.desc(), Track.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


# Plays ---------------------------------------------------------------------------------------


async def claim_play_mark(
    session: AsyncSession, track_id: uuid.UUID, listener: str, now: datetime, cutoff: datetime
) -> tuple[bool, uuid.UUID | None]:
    """Claim the listener's mark on the track: (True, None) when no play of theirs was counted
    since ``cutoff`` (the mark now says ``now``); otherwise (False, the play that was counted).

    One conditional upsert: of concurrent claims by the same listener exactly one wins (on
    PostgreSQL the others wait on the row and then see the new time).
    """
    insert = _insert(session, PlayMark).values(
        track_id=track_id, listener=listener, last_counted_at=now, play_id=None
    )
    statement = insert.on_conflict_do_update(
        index_elements=["track_id", "listener"],
        set_={"last_counted_at": now, "play_id": None},
        where=PlayMark.last_counted_at <= cutoff,
    )
    if _rowcount(await session.execute(statement)) == 1:
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
    return _rowcount(result)


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


# Shares --------------------------------------------------------------------------------------


def add_share(session: AsyncSession, share: TrackShare) -> None:
    session.add(share)


async def share_by_token_hash(session: AsyncSession, token_hash: str) -> TrackShare | None:
    share: TrackShare | None = await session.scalar(
        select(TrackShare).where(TrackShare.token_hash == token_hash)
    )
    return share


async def get_share(session: AsyncSession, share_id: uuid.UUID) -> TrackShare | None:
    share: TrackShare | None = await session.scalar(
        select(TrackShare).where(TrackShare.id == share_id)
    )
    return share


async def revoke_share(session: AsyncSession, share_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(TrackShare)
        .where(TrackShare.id == share_id, TrackShare.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


# Lyrics --------------------------------------------------------------------------------------


async def get_lyrics(session: AsyncSession, track_id: uuid.UUID) -> TrackLyrics | None:
    lyrics: TrackLyrics | None = await session.get(TrackLyrics, track_id)
    return lyrics


async def delete_lyrics(session: AsyncSession, track_id: uuid.UUID) -> bool:
    result = await session.execute(delete(TrackLyrics).where(TrackLyrics.track_id == track_id))
    return _rowcount(result) > 0


# Account deletion ----------------------------------------------------------------------------


async def remove_engagement_of(session: AsyncSession, user_id: uuid.UUID) -> None:
    """A deleted account's likes, reposts, plays and share links go; the like and play
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
    await session.execute(delete(TrackShare).where(TrackShare.created_by == user_id))
