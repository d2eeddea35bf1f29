"""The dashboard's queries: a fixed number whatever the data (three for the stats, five for the
activity, two for the library), each bounded by the caller's limits.

Readable by: the caller's own rows, and the public activity of the users they follow who are
readable and not hidden from them by a block, on tracks listed for them (``listed_for``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import page
from veza.models import Comment, Follow, Track, TrackLike, TrackPlay, TrackRepost, User
from veza.tracks.repository import listed_for, listed_tracks
from veza.users.repository import author_is_readable, not_hidden_from


def followed_ids(viewer: User) -> Select[Any]:
    """The users ``viewer`` follows whose activity they may see."""
    return select(Follow.followed_id).where(
        Follow.follower_id == viewer.id,
        author_is_readable(Follow.followed_id),
        not_hidden_from(Follow.followed_id, viewer.id),
    )


@dataclass(frozen=True)
class Window:
    """The period counted, and the one of the same length before it (None for "all")."""

    start: datetime | None
    previous_start: datetime | None


def _in(column: Any, start: datetime | None, end: datetime | None) -> ColumnElement[bool]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(true(), *conditions)


def _split(column: Any, window: Window, value: Any = 1) -> tuple[Any, Any]:
    """Aggregates of the current window and of the previous one, in one pass."""
    current = case((_in(column, window.start, None), value), else_=None)
    previous = (
        case((_in(column, window.previous_start, window.start), value), else_=None)
        if window.previous_start is not None
        else null()
    )
    return current, previous


async def counted(
    session: AsyncSession, column: Any, where: ColumnElement[bool], window: Window
) -> tuple[int, int | None]:
    current, previous = _split(column, window)
    floor = window.previous_start or window.start
    conditions = [where] + ([column >= floor] if floor is not None else [])
    row = (
        await session.execute(select(func.count(current), func.count(previous)).where(*conditions))
    ).one()
    return int(row[0]), (int(row[1]) if window.previous_start is not None else None)


async def plays(session: AsyncSession, viewer: User, window: Window) -> tuple[int, int | None]:
    return await counted(session, TrackPlay.played_at, TrackPlay.user_id == viewer.id, window)


async def favorites(session: AsyncSession, viewer: User, window: Window) -> tuple[int, int | None]:
    return await counted(session, TrackLike.created_at, TrackLike.user_id == viewer.id, window)


def _public_actions(viewer: User, actors: Select[Any]) -> Any:
    """(actor_id, at) of every public action of ``actors``: tracks published, likes, reposts
    and comments on tracks listed for the viewer."""
    listed = listed_for(viewer)
    uploads = (
        listed_tracks(viewer)
        .with_only_columns(Track.creator_id.label("actor_id"), Track.created_at.label("at"))
        .where(Track.creator_id.in_(actors))
    )
    likes = (
        select(TrackLike.user_id.label("actor_id"), TrackLike.created_at.label("at"))
        .join(Track, Track.id == TrackLike.track_id)
        .where(listed, TrackLike.user_id.in_(actors))
    )
    reposts = (
        select(TrackRepost.user_id.label("actor_id"), TrackRepost.created_at.label("at"))
        .join(Track, Track.id == TrackRepost.track_id)
        .where(listed, TrackRepost.user_id.in_(actors))
    )
    comments = (
        select(Comment.user_id.label("actor_id"), Comment.created_at.label("at"))
        .join(Track, Track.id == Comment.track_id)
        .where(listed, Comment.user_id.in_(actors), Comment.deleted_at.is_(None))
    )
    return union_all(uploads, likes, reposts, comments).subquery()


async def active_friends(
    session: AsyncSession, viewer: User, window: Window
) -> tuple[int, int | None]:
    actions = _public_actions(viewer, followed_ids(viewer))
    current, previous = _split(actions.c.at, window, actions.c.actor_id)
    row = (
        await session.execute(select(func.count(distinct(current)), func.count(distinct(previous))))
    ).one()
    return int(row[0]), (int(row[1]) if window.previous_start is not None else None)


# Recent activity ------------------------------------------------------------------------------


def _actors(viewer: User) -> CompoundSelect[Any]:
    return followed_ids(viewer).union(select(literal(viewer.id, type_=Follow.followed_id.type)))


async def recent_uploads(session: AsyncSession, viewer: User, limit: int) -> list[Any]:
    rows = await session.execute(
        listed_tracks(viewer)
        .with_only_columns(Track.creator_id, Track.id, Track.title, Track.created_at)
        .where(Track.creator_id.in_(_actors(viewer)))
        .order_by(Track.created_at.desc())
        .limit(limit)
    )
    return list(rows)


async def recent_pairs(
    session: AsyncSession, viewer: User, model: type[TrackLike] | type[TrackRepost], limit: int
) -> list[Any]:
    rows = await session.execute(
        select(model.user_id, Track.id, Track.title, model.created_at)
        .join(Track, Track.id == model.track_id)
        .where(listed_for(viewer), model.user_id.in_(_actors(viewer)))
        .order_by(model.created_at.desc())
        .limit(limit)
    )
    return list(rows)


async def recent_comments(session: AsyncSession, viewer: User, limit: int) -> list[Any]:
    rows = await session.execute(
        select(Comment.user_id, Track.id, Track.title, Comment.created_at, Comment.id)
        .join(Track, Track.id == Comment.track_id)
        .where(
            listed_for(viewer), Comment.user_id.in_(_actors(viewer)), Comment.deleted_at.is_(None)
        )
        .order_by(Comment.created_at.desc())
        .limit(limit)
    )
    return list(rows)


async def usernames(session: AsyncSession, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
    if not user_ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(user_ids)))
    return {user.id: user for user in rows}


# Library --------------------------------------------------------------------------------------


async def library(session: AsyncSession, viewer: User, limit: int) -> tuple[list[Track], int]:
    """The caller's own tracks (their library: what they uploaded), newest first."""
    return await page(
        session,
        listed_tracks(viewer).where(Track.creator_id == viewer.id),
        [Track.created_at.desc(), Track.id],
        offset=0,
        limit=limit,
    )
