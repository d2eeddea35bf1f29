"""Queries of the social domain: the public content trending hashtags are counted from.

Only what everyone may see counts: tracks through the catalog's ``listed_tracks(None)`` (public,
processed, not deleted, of readable accounts), comments shown on those tracks (not deleted, of
readable authors).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import Comment, Track
from veza.tracks.repository import listed_tracks
from veza.users.repository import author_is_readable, hidden_user_ids

# The newest rows of each source read per computation: a bound on the work of one refresh.
MAX_ROWS = 20_000


async def recent_track_tags(
    session: AsyncSession, since: datetime
) -> list[tuple[uuid.UUID, list[Any] | None]]:
    """(creator, tags) of the public tracks published since ``since``, newest first."""
    statement = (
        listed_tracks(None)
        .with_only_columns(Track.creator_id, Track.tags)
        .where(Track.created_at >= since)
        .order_by(Track.created_at.desc())
        .limit(MAX_ROWS)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def recent_comments(session: AsyncSession, since: datetime) -> list[tuple[uuid.UUID, str]]:
    """(author, text) of the comments posted since ``since`` on public tracks, newest first."""
    public_tracks = listed_tracks(None).with_only_columns(Track.id)
    statement = (
        select(Comment.user_id, Comment.content)
        .where(
            Comment.created_at >= since,
            Comment.deleted_at.is_(None),
            Comment.track_id.in_(public_tracks),
            author_is_readable(Comment.user_id),
        )
        .order_by(Comment.created_at.desc())
        .limit(MAX_ROWS)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def hidden_from(session: AsyncSession, viewer_id: uuid.UUID) -> set[uuid.UUID]:
    return set((await session.scalars(hidden_user_ids(viewer_id))).all())
