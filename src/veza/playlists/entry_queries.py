"""Queries of a playlist's entries, as each viewer is shown them: an entry is shown when the
catalog lists its track for the viewer (``tracks.repository.listed_for``); a private, deleted
or block-hidden track is left out, and counted out, for that viewer only. Whether the viewer
may read the playlist at all is ``repository.readable_by``'s question, asked before these.

Writes to the entries happen after ``repository.bump`` has locked the playlist row (see
items.py), so positions stay dense (0..n-1) under concurrent edits.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    String,
    Uuid,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.kit.db import Reads
from veza.kit.queries import insert_ignoring_duplicates, rowcount
from veza.models import User, Viewer
from veza.models.playlist import PlaylistTrack
from veza.models.track import Track
from veza.playlists.repository import PLAYLIST_ID
from veza.tracks.repository import listed_for, listed_for_bound
from veza.tracks.schemas import TrackResponse

# What a track's response is built from: its fields, and the paths its links derive from.
_SHOWN_TRACK_COLUMNS = [
    column
    for column in Track.__table__.columns
    if column.key in TrackResponse.model_fields or column.key in ("hls_path",)
]


@functools.lru_cache(maxsize=8)
def _shown_entries_of(listed: ColumnElement[bool], ids_as_text: bool) -> Select[Any]:
    """The statement of the shown entries, built once per listing (``listed_for_bound``: the
    playlist's id and the viewer's bound at execution)."""

    def column(expression: Any, name: str) -> Any:
        if ids_as_text and isinstance(expression.type, Uuid):
            # The stored text as it is (no uuid.UUID per value): the page encoder writes it.
            return type_coerce(expression, String).label(name)
        return expression.label(name)

    return (
        select(
            column(PlaylistTrack.id, "entry_id"),
            column(PlaylistTrack.added_by, "entry_added_by"),
            column(PlaylistTrack.added_at, "entry_added_at"),
            *(column(c, c.key) for c in _SHOWN_TRACK_COLUMNS),
        )
        .join(Track, Track.id == PlaylistTrack.track_id)
        .where(PlaylistTrack.playlist_id == PLAYLIST_ID, listed)
        .order_by(PlaylistTrack.position)
    )


async def _shown_entry_rows(
    reads: Reads, playlist_id: uuid.UUID, viewer: Viewer | None, *, ids_as_text: bool
) -> list[Row[Any]]:
    listed, params = listed_for_bound(viewer)
    result = await reads.execute(
        _shown_entries_of(listed, ids_as_text), {**params, "playlist_id": playlist_id}
    )
    return list(result.all())


async def shown_entries(
    session: AsyncSession, playlist_id: uuid.UUID, viewer: User | None
) -> list[Row[Any]]:
    """The entries ``viewer`` is shown, in order, in one query: each row holds the columns of
    the track its response needs (named as the Track's attributes, so the catalog's presenter
    reads it as a track) and the entry's ``entry_id``, ``entry_added_by`` and
    ``entry_added_at``. Plain rows, not ORM objects: a 3,000-track playlist is read several
    times faster this way."""
    return await _shown_entry_rows(session, playlist_id, viewer, ids_as_text=False)


async def shown_entries_raw_ids(
    reads: Reads, playlist_id: uuid.UUID, viewer: Viewer | None
) -> list[Row[Any]]:
    """``shown_entries`` with its UUID columns as the database returns them (hex text on
    SQLite, the driver's UUID on PostgreSQL), for ``presenters.playlist_page_json``: turning
    every id of a long playlist into a ``uuid.UUID`` costs more than the query itself."""
    return await _shown_entry_rows(reads, playlist_id, viewer, ids_as_text=True)


async def shown_counts(
    session: AsyncSession, playlist_ids: Iterable[uuid.UUID], viewer: User | None
) -> dict[uuid.UUID, int]:
    """Entries ``viewer`` is shown per playlist (0 for the ids without any)."""
    ids = list(set(playlist_ids))
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    result = await session.execute(
        select(PlaylistTrack.playlist_id, func.count())
        .join(Track, Track.id == PlaylistTrack.track_id)
        .where(PlaylistTrack.playlist_id.in_(ids), listed_for(viewer))
        .group_by(PlaylistTrack.playlist_id)
    )
    counts.update({row[0]: int(row[1]) for row in result})
    return counts


@dataclass(frozen=True)
class Slot:
    entry_id: uuid.UUID
    track_id: uuid.UUID
    position: int
    shown: bool  # the caller is shown its track


async def slots(session: AsyncSession, playlist_id: uuid.UUID, viewer: User) -> list[Slot]:
    """Every entry of the playlist in order, and whether ``viewer`` is shown its track."""
    shown = PlaylistTrack.track_id.in_(select(Track.id).where(listed_for(viewer)))
    result = await session.execute(
        select(PlaylistTrack.id, PlaylistTrack.track_id, PlaylistTrack.position, shown)
        .where(PlaylistTrack.playlist_id == playlist_id)
        .order_by(PlaylistTrack.position)
    )
    return [Slot(row[0], row[1], int(row[2]), bool(row[3])) for row in result]


async def insert_entry(
    session: AsyncSession,
    playlist_id: uuid.UUID,
    track_id: uuid.UUID,
    position: int,
    added_by: uuid.UUID,
    now: datetime,
) -> bool:
    """One new row; False when the track is already in the playlist."""
    result = await session.execute(
        insert_ignoring_duplicates(
            session,
            PlaylistTrack,
            id=uuid.uuid4(),
            playlist_id=playlist_id,
            track_id=track_id,
            position=position,
            added_by=added_by,
            added_at=now,
        )
    )
    return rowcount(result) > 0


async def insert_entries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(PlaylistTrack), list(rows))


async def delete_entry(
    session: AsyncSession, playlist_id: uuid.UUID, track_id: uuid.UUID
) -> int | None:
    """Remove the entry and close the gap it leaves; the position it had, or None."""
    result = await session.execute(
        delete(PlaylistTrack)
        .where(PlaylistTrack.playlist_id == playlist_id, PlaylistTrack.track_id == track_id)
        .returning(PlaylistTrack.position)
    )
    row = result.first()
    if row is None:
        return None
    position = int(row[0])
    await session.execute(
        update(PlaylistTrack)
        .where(PlaylistTrack.playlist_id == playlist_id, PlaylistTrack.position > position)
        .values(position=PlaylistTrack.position - 1)
        .execution_options(synchronize_session=False)
    )
    return position


async def set_positions(session: AsyncSession, moves: dict[uuid.UUID, int]) -> None:
    """Give each entry (by id) its new position: one executemany (bulk UPDATE by key)."""
    if moves:
        await session.execute(
            update(PlaylistTrack),
            [{"id": entry_id, "position": position} for entry_id, position in moves.items()],
        )


async def copyable_track_ids(
    session: AsyncSession, playlist_id: uuid.UUID, viewer: User
) -> list[uuid.UUID]:
    return [row.id for row in await shown_entries(session, playlist_id, viewer)]


async def listed_track_ids(
    session: AsyncSession, track_ids: Iterable[uuid.UUID], viewer: User
) -> set[uuid.UUID]:
    """Of ``track_ids``, those the catalog lists for ``viewer``."""
    ids = list(set(track_ids))
    if not ids:
        return set()
    rows = await session.scalars(select(Track.id).where(Track.id.in_(ids), listed_for(viewer)))
    return set(rows)


async def match_by_title(
    session: AsyncSession, viewer: User, title: str, artist: str | None
) -> uuid.UUID | None:
    """The oldest track listed for ``viewer`` with this title (and artist), ignoring case."""
    conditions = [listed_for(viewer), func.lower(Track.title) == title.strip().lower()]
    if artist and artist.strip():
        conditions.append(func.lower(Track.artist) == artist.strip().lower())
    found: uuid.UUID | None = await session.scalar(
        select(Track.id).where(*conditions).order_by(Track.created_at, Track.id).limit(1)
    )
    return found


# Analytics -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackFigures:
    count: int
    duration: int
    plays: int


async def track_figures(
    session: AsyncSession, playlist_id: uuid.UUID, viewer: User
) -> TrackFigures:
    """Count and total duration of the tracks shown to ``viewer``; plays of those whose figures
    they may see (their own tracks; every track for administrators)."""
    own = Track.id.is_not(None) if viewer.is_administrator else Track.creator_id == viewer.id
    plays = func.coalesce(func.sum(Track.play_count).filter(own), 0)
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Track.duration), 0), plays)
            .select_from(PlaylistTrack)
            .join(Track, Track.id == PlaylistTrack.track_id)
            .where(PlaylistTrack.playlist_id == playlist_id, listed_for(viewer))
        )
    ).one()
    return TrackFigures(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))
