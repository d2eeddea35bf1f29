"""Queries of the catalog. Which tracks a caller may see is decided here, once:

- ``openable_by(viewer)``: the tracks the viewer may open by id: play, download, HLS, waveform,
  history. Public completed tracks of live accounts; the creator's own; every track for
  administrators. A soft-deleted track is opened by nobody. (Share links open one track more:
  tracks/sharing.py.)
- ``listed_for(viewer)``: what the catalog shows the viewer: openable tracks minus those of users
  a block stands between (either way; administrators see through blocks). Lists, the track
  page, lyrics, stats, likes, reposts, comments, recommendations, and every other domain that
  lists tracks (playlists, queue, search) use it, through ``listed_tracks(viewer)`` or the
  guards of tracks/access.py.

No other module selects tracks for a caller; a test keeps it so.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    Text,
    Uuid,
    and_,
    bindparam,
    cast,
    delete,
    false,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.kit.db import Reads, connection_of
from veza.kit.queries import greatest, page, rowcount
from veza.kit.uuid_text import uuid_text
from veza.models import Follow, User, Viewer
from veza.models.track import (
    TRACK_COMPLETED,
    Track,
    TrackHistory,
    TrackLyrics,
    TrackVersion,
)
from veza.tracks import taxonomy
from veza.tracks.bound import VIEWER_ID
from veza.tracks.schemas import TrackResponse
from veza.users.repository import author_is_readable, not_hidden_from

_NOT_DELETED = Track.deleted_at.is_(None)
_PUBLIC = and_(
    Track.is_public.is_(True),
    Track.status == TRACK_COMPLETED,
    author_is_readable(Track.creator_id),
)
# What anyone may open, made once: building the expression per request cost more than the
# statement it is part of (docs/PERFORMANCE.md, "Hot reads").
_OPEN_TO_ANYONE = and_(_NOT_DELETED, _PUBLIC)


def _openable_by_member(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(_NOT_DELETED, or_(Track.creator_id == viewer_id, _PUBLIC))


def _listed_for_member(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(_openable_by_member(viewer_id), not_hidden_from(Track.creator_id, viewer_id))


def openable_by(viewer: Viewer | None) -> ColumnElement[bool]:
    """The tracks ``viewer`` may open by id (see the module docstring)."""
    if viewer is None:
        return _OPEN_TO_ANYONE
    if viewer.is_administrator:
        return _NOT_DELETED
    return _openable_by_member(viewer.id)


def listed_for(viewer: Viewer | None) -> ColumnElement[bool]:
    """The tracks the catalog shows ``viewer`` (see the module docstring)."""
    if viewer is None or viewer.is_administrator:
        return openable_by(viewer)
    return _listed_for_member(viewer.id)


def _member_listing_halves(viewer_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    """``listed_for`` of a member split at its OR: their own live tracks, and the public
    listing, each with the block condition; together they are all of it."""
    visible = not_hidden_from(Track.creator_id, viewer_id)
    return (
        and_(Track.creator_id == viewer_id, _NOT_DELETED, visible),
        and_(_OPEN_TO_ANYONE, visible),
    )


# ``listed_for`` of the member (not an administrator) whose id is bound at execution
# (tracks/bound.py), whole and in its two halves, for the statements built once.
LISTED_FOR_BOUND_MEMBER = _listed_for_member(VIEWER_ID)
BOUND_MEMBER_HALVES = _member_listing_halves(VIEWER_ID)


def listed_for_bound(viewer: Viewer | None) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """``listed_for(viewer)`` for a statement built once, and the parameters that bind it: a
    constant for anonymous callers and administrators, the bound member's for the rest."""
    if viewer is None or viewer.is_administrator:
        return listed_for(viewer), {}
    return LISTED_FOR_BOUND_MEMBER, {"viewer_id": viewer.id}


# What a member's own tracks need to be listed for them but not for anonymous callers.
OWN_BEYOND_PUBLIC = and_(_NOT_DELETED, not_(_OPEN_TO_ANYONE))


def listed_tracks(viewer: User | None) -> Select[Track]:
    """``SELECT tracks`` of what ``viewer`` is shown, for other domains to join and order."""
    return select(Track).where(listed_for(viewer))


async def get_openable(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None
) -> Track | None:
    track: Track | None = await session.scalar(
        select(Track).where(Track.id == track_id, openable_by(viewer))
    )
    return track


# The columns a track's response reads (named as the Track's attributes), for the reads that
# encode rows without making Track objects; the ids read as their text (kit/uuid_text.py).
SHOWN_COLUMNS = tuple(
    uuid_text(column) if isinstance(column.type, Uuid) else column
    for column in Track.__table__.columns
    if column.key in TrackResponse.model_fields or column.key == "hls_path"
)
_ANONYMOUS_LISTED_ROW = select(*SHOWN_COLUMNS).where(
    Track.id == bindparam("track_id"), listed_for(None)
)


async def get_listed_row(reads: Reads, track_id: uuid.UUID, viewer: User | None) -> Row[Any] | None:
    """``get_listed`` as a row of ``SHOWN_COLUMNS`` (the anonymous statement made once)."""
    # Through the connection: a row of table columns needs none of the ORM's result handling
    # (a fifth of the anonymous read's time).
    connection = await connection_of(reads)
    if viewer is None:
        result = await connection.execute(_ANONYMOUS_LISTED_ROW, {"track_id": track_id})
    else:
        result = await connection.execute(
            select(*SHOWN_COLUMNS).where(Track.id == track_id, listed_for(viewer))
        )
    return result.first()


async def get_listed(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None, *, for_update: bool = False
) -> Track | None:
    statement = select(Track).where(Track.id == track_id, listed_for(viewer))
    if for_update:
        statement = statement.with_for_update(of=Track)
    track: Track | None = await session.scalar(statement)
    return track


async def get_track(
    session: AsyncSession, track_id: uuid.UUID, *, for_update: bool = False
) -> Track | None:
    """The row whatever its state (deleted included): for its owner's guards and for jobs."""
    statement = select(Track).where(Track.id == track_id)
    if for_update:
        statement = statement.with_for_update()
    track: Track | None = await session.scalar(statement)
    return track


async def get_live(session: AsyncSession, track_id: uuid.UUID) -> Track | None:
    """The track unless it is soft-deleted (who may see it is the caller's decision)."""
    track: Track | None = await session.scalar(
        select(Track).where(Track.id == track_id, Track.deleted_at.is_(None))
    )
    return track


async def get_shared(session: AsyncSession, track_id: uuid.UUID) -> Track | None:
    """The track a share link may open: not deleted, its creator a readable account (a link
    does not outlive its creator's ban or deletion)."""
    track: Track | None = await session.scalar(
        select(Track).where(
            Track.id == track_id,
            Track.deleted_at.is_(None),
            author_is_readable(Track.creator_id),
        )
    )
    return track


# Stored audio --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredBytes:
    audio: int  # every audio version
    derived: int  # waveforms, HLS renditions and covers (Track.derived_bytes)

    @property
    def total(self) -> int:
        return self.audio + self.derived


async def stored_bytes(session: AsyncSession, user_id: uuid.UUID) -> StoredBytes:
    """Bytes the user's live tracks keep: their audio versions and their derived files."""
    live = (Track.creator_id == user_id, Track.deleted_at.is_(None))
    audio = (
        select(func.coalesce(func.sum(TrackVersion.file_size), 0))
        .join(Track, Track.id == TrackVersion.track_id)
        .where(*live)
        .scalar_subquery()
    )
    derived = select(func.coalesce(func.sum(Track.derived_bytes), 0)).where(*live).scalar_subquery()
    row = (await session.execute(select(audio, derived))).one()
    return StoredBytes(audio=int(row[0] or 0), derived=int(row[1] or 0))


async def track_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(Track.creator_id == user_id, Track.deleted_at.is_(None))
    )
    return int(count or 0)


# Versions and history ------------------------------------------------------------------------


async def next_version_number(session: AsyncSession, track_id: uuid.UUID) -> int:
    current = await session.scalar(
        select(func.max(TrackVersion.version_number)).where(TrackVersion.track_id == track_id)
    )
    return int(current or 0) + 1


async def get_version(
    session: AsyncSession, track_id: uuid.UUID, version_id: uuid.UUID
) -> TrackVersion | None:
    version: TrackVersion | None = await session.scalar(
        select(TrackVersion).where(TrackVersion.id == version_id, TrackVersion.track_id == track_id)
    )
    return version


async def list_versions(session: AsyncSession, track_id: uuid.UUID) -> Sequence[TrackVersion]:
    result = await session.scalars(
        select(TrackVersion)
        .where(TrackVersion.track_id == track_id)
        .order_by(TrackVersion.version_number.desc())
    )
    return result.all()


def add_history(
    session: AsyncSession,
    track_id: uuid.UUID,
    action: str,
    *,
    user_id: uuid.UUID | None,
    changes: dict[str, Any] | None = None,
) -> TrackHistory:
    """Record one change to a track: metadata, audio, lyrics, stream status, deletion."""
    entry = TrackHistory(track_id=track_id, user_id=user_id, action=action, changes=changes)
    session.add(entry)
    return entry


async def history_page(
    session: AsyncSession, track_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[TrackHistory], int]:
    statement = select(TrackHistory).where(TrackHistory.track_id == track_id)
    order = [TrackHistory.created_at.desc(), TrackHistory.id]
    return await page(session, statement, order, offset=offset, limit=limit)


async def delete_tracks(session: AsyncSession, track_ids: Sequence[uuid.UUID]) -> None:
    """Remove the rows for good (account deletion); their files are the caller's to forget."""
    if track_ids:
        await session.execute(delete(Track).where(Track.id.in_(list(track_ids))))


async def tracks_of_user(
    session: AsyncSession, user_id: uuid.UUID, *, except_public: bool
) -> Sequence[Track]:
    statement = select(Track).where(Track.creator_id == user_id)
    if except_public:
        statement = statement.where(Track.is_public.is_(False))
    result = await session.scalars(statement)
    return result.all()


# Conditions other domains filter tracks by ------------------------------------------------


def _json_array_holds(column: Any, value: str) -> ColumnElement[bool]:
    """A JSON array column holds ``value``: matched in the column's JSON text (the same on
    SQLite and PostgreSQL, whose column is JSON text), ignoring ASCII case."""
    needle = json.dumps(value).lower()
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return func.lower(cast(column, Text)).like(pattern, escape="\\")


def genre_condition(slugs: Iterable[str]) -> ColumnElement[bool]:
    """The track declares one of the genres: in ``genres`` (slugs) or as its legacy ``genre``
    ("Hip Hop", "hip-hop" and "hip hop" all match the slug hip-hop)."""
    conditions: list[ColumnElement[bool]] = []
    for slug in {s for s in slugs if s}:
        spelled = {slug, slug.replace("-", " ")}
        conditions.append(func.lower(Track.genre).in_(spelled))
        conditions.append(_json_array_holds(Track.genres, slug))
    return or_(*conditions) if conditions else false()


def tags_condition(tags: Iterable[str]) -> ColumnElement[bool]:
    conditions = [_json_array_holds(Track.tags, tag) for tag in {t.lower() for t in tags if t}]
    return or_(*conditions) if conditions else false()


async def add_to_counter(
    session: AsyncSession, track_id: uuid.UUID, column: str, delta: int
) -> None:
    """``UPDATE tracks SET <column> = <column> + delta`` (never below zero): plays, likes and
    downloads are counted by atomic SQL, never read-modify-write."""
    counter = getattr(Track, column)
    value = counter + delta if delta >= 0 else greatest(session, counter + delta, 0)
    await session.execute(
        update(Track)
        .where(Track.id == track_id)
        .values({column: value})
        .execution_options(synchronize_session=False)
    )


async def get_tracks(
    session: AsyncSession, track_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Track]:
    if not track_ids:
        return {}
    rows = await session.scalars(select(Track).where(Track.id.in_(list(track_ids))))
    return {track.id: track for track in rows}


async def soft_delete(session: AsyncSession, track_id: uuid.UUID, now: datetime) -> bool:
    """Mark the track deleted; False when it already was."""
    result = await session.execute(
        update(Track)
        .where(Track.id == track_id, Track.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) > 0


# Recommendations -----------------------------------------------------------------------------

CLOSE_BPM = 6  # "close" BPM for key-based similarity: within this many beats per minute


def _recommendable(viewer: User) -> list[ColumnElement[bool]]:
    """Public completed tracks of others the viewer may see (never their own)."""
    return [
        listed_for(None),
        not_hidden_from(Track.creator_id, viewer.id),
        Track.creator_id != viewer.id,
    ]


async def newest_matching(
    session: AsyncSession,
    viewer: User,
    condition: ColumnElement[bool],
    *,
    limit: int,
    exclude: Iterable[uuid.UUID] = (),
    within: Iterable[uuid.UUID] | None = None,
) -> list[Track]:
    """The newest tracks others made that the viewer may see and that match ``condition``
    (optionally only among ``within``)."""
    statement = select(Track).where(*_recommendable(viewer), condition)
    excluded = list(exclude)
    if excluded:
        statement = statement.where(Track.id.not_in(excluded))
    if within is not None:
        statement = statement.where(Track.id.in_(list(within)))
    rows = await session.scalars(
        statement.order_by(Track.created_at.desc(), Track.id.desc()).limit(limit)
    )
    return list(rows)


def similar_to(seed: Track) -> dict[str, ColumnElement[bool]]:
    """Each declared similarity to ``seed``, by reason."""
    reasons: dict[str, ColumnElement[bool]] = {}
    genres = [*(seed.genres or []), *([taxonomy.slugify(seed.genre)] if seed.genre else [])]
    if genres:
        reasons["same_genre"] = genre_condition(genres)
    if seed.tags:
        reasons["shared_tags"] = tags_condition(seed.tags)
    if seed.musical_key and seed.bpm is not None:
        reasons["same_key_close_bpm"] = and_(
            Track.musical_key == seed.musical_key,
            Track.bpm.between(seed.bpm - CLOSE_BPM, seed.bpm + CLOSE_BPM),
        )
    return reasons


def by_followed_creators(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return Track.creator_id.in_(select(Follow.followed_id).where(Follow.follower_id == viewer_id))


# Lyrics --------------------------------------------------------------------------------------


async def get_lyrics(session: AsyncSession, track_id: uuid.UUID) -> TrackLyrics | None:
    lyrics: TrackLyrics | None = await session.get(TrackLyrics, track_id)
    return lyrics


async def delete_lyrics(session: AsyncSession, track_id: uuid.UUID) -> bool:
    result = await session.execute(delete(TrackLyrics).where(TrackLyrics.track_id == track_id))
    return rowcount(result) > 0
