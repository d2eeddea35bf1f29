"""Queries of the comments domain. What a viewer may see is decided here, once.

- A track's comments are readable by whoever the track is listed for (the catalog's
  ``listed_for``: tracks/repository.py).
- A comment is *shown* when it is not deleted, its author is a readable user (not deleted,
  banned or inactive) and no block stands between its author and the viewer.
- A comment is *listed* when it is shown, or when it is deleted but still has a shown reply:
  it then keeps its place in the thread as a placeholder ("deleted").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from veza.kit.pagination import MAX_OFFSET
from veza.models import Comment, Track, User
from veza.tracks.repository import listed_for
from veza.users.repository import author_is_readable, not_hidden_from

CommentTable = type[Comment] | AliasedClass[Comment]


@dataclass(frozen=True)
class CommentRow:
    """A comment with what its response needs: its author and its listed replies."""

    comment: Comment
    author: User
    reply_count: int


# Visibility ----------------------------------------------------------------------------------


def _shown(comment: CommentTable, viewer_id: uuid.UUID | None) -> ColumnElement[bool]:
    return and_(
        comment.deleted_at.is_(None),
        author_is_readable(comment.user_id),
        not_hidden_from(comment.user_id, viewer_id),
    )


def _listed(comment: CommentTable, viewer_id: uuid.UUID | None) -> ColumnElement[bool]:
    reply = aliased(Comment)
    has_shown_reply = exists().where(reply.parent_id == comment.id, _shown(reply, viewer_id))
    return or_(_shown(comment, viewer_id), and_(comment.deleted_at.is_not(None), has_shown_reply))


def _reply_count(comment: CommentTable, viewer_id: uuid.UUID | None) -> Any:
    reply = aliased(Comment)
    return (
        select(func.count())
        .where(reply.parent_id == comment.id, _listed(reply, viewer_id))
        .scalar_subquery()
    )


def _viewer_id(viewer: User | None) -> uuid.UUID | None:
    return viewer.id if viewer is not None else None


# Reading comments ----------------------------------------------------------------------------


async def get_listed(
    session: AsyncSession, comment_id: uuid.UUID, viewer: User | None
) -> Comment | None:
    """The comment if the viewer may see it (a deleted placeholder included)."""
    comment: Comment | None = await session.scalar(
        select(Comment)
        .join(Track, Track.id == Comment.track_id)
        .where(Comment.id == comment_id, listed_for(viewer), _listed(Comment, _viewer_id(viewer)))
    )
    return comment


async def get_live_on_track(
    session: AsyncSession, track_id: uuid.UUID, comment_id: uuid.UUID
) -> Comment | None:
    """A comment of the track that is not deleted, whoever may see it."""
    comment: Comment | None = await session.scalar(
        select(Comment).where(
            Comment.id == comment_id, Comment.track_id == track_id, Comment.deleted_at.is_(None)
        )
    )
    return comment


async def is_listed(session: AsyncSession, comment_id: uuid.UUID, viewer: User) -> bool:
    listed = await session.scalar(
        select(exists().where(Comment.id == comment_id, _listed(Comment, viewer.id)))
    )
    return bool(listed)


def _rows(viewer_id: uuid.UUID | None) -> Select[tuple[Comment, User, int]]:
    return select(Comment, User, _reply_count(Comment, viewer_id)).join(
        User, User.id == Comment.user_id
    )


def _to_rows(result: Iterable[Any]) -> list[CommentRow]:
    return [CommentRow(row[0], row[1], int(row[2] or 0)) for row in result]


async def get_row(
    session: AsyncSession, comment_id: uuid.UUID, viewer_id: uuid.UUID | None
) -> CommentRow:
    result = await session.execute(_rows(viewer_id).where(Comment.id == comment_id))
    return _to_rows(result)[0]


async def _page(
    session: AsyncSession,
    conditions: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    *,
    offset: int,
    limit: int,
    viewer_id: uuid.UUID | None,
) -> tuple[list[CommentRow], int]:
    total = await session.scalar(select(func.count()).select_from(Comment).where(*conditions))
    result = await session.execute(
        _rows(viewer_id)
        .where(*conditions)
        .order_by(*order_by)
        .offset(min(offset, MAX_OFFSET))
        .limit(limit)
    )
    return _to_rows(result), int(total or 0)


async def top_level_page(
    session: AsyncSession,
    track_id: uuid.UUID,
    viewer_id: uuid.UUID | None,
    *,
    offset: int,
    limit: int,
) -> tuple[list[CommentRow], int]:
    """The track's listed top-level comments, newest first."""
    conditions = [
        Comment.track_id == track_id,
        Comment.parent_id.is_(None),
        _listed(Comment, viewer_id),
    ]
    order = [Comment.created_at.desc(), Comment.id.desc()]
    return await _page(session, conditions, order, offset=offset, limit=limit, viewer_id=viewer_id)


async def replies_page(
    session: AsyncSession,
    parent_id: uuid.UUID,
    viewer_id: uuid.UUID | None,
    *,
    offset: int,
    limit: int,
) -> tuple[list[CommentRow], int]:
    """The listed replies of a comment, oldest first (a conversation reads in order)."""
    conditions = [Comment.parent_id == parent_id, _listed(Comment, viewer_id)]
    order = [Comment.created_at.asc(), Comment.id.asc()]
    return await _page(session, conditions, order, offset=offset, limit=limit, viewer_id=viewer_id)


async def comment_counts(
    session: AsyncSession, track_ids: Iterable[uuid.UUID], viewer_id: uuid.UUID | None = None
) -> dict[uuid.UUID, int]:
    """Comments (replies included) per track that are shown: not deleted, by readable authors,
    and, given a viewer, not hidden from them by a block. Tracks without any count 0.

    The track's own visibility is the caller's business (this counts for the ids given).
    """
    ids = list(set(track_ids))
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    result = await session.execute(
        select(Comment.track_id, func.count())
        .where(Comment.track_id.in_(ids), _shown(Comment, viewer_id))
        .group_by(Comment.track_id)
    )
    counts.update({row[0]: int(row[1]) for row in result})
    return counts


# Writing comments ----------------------------------------------------------------------------


def add(session: AsyncSession, comment: Comment) -> None:
    session.add(comment)


async def soft_delete(
    session: AsyncSession, comment_id: uuid.UUID, deleted_by: uuid.UUID, now: datetime
) -> bool:
    """Mark the comment deleted and erase its content; False when it already was."""
    result = await session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.deleted_at.is_(None))
        .values(deleted_at=now, deleted_by=deleted_by, content="", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def erase_comments_of(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Every comment of a deleted account: content erased, marked deleted (threads keep their
    replies by others under a placeholder)."""
    await session.execute(
        update(Comment)
        .where(Comment.user_id == user_id, Comment.deleted_at.is_(None))
        .values(deleted_at=now, deleted_by=user_id, content="", updated_at=now)
        .execution_options(synchronize_session=False)
    )
