"""Queries of the tracks domain. Visibility is decided here, once: ``readable_by``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, and_, cast, delete, false, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.models import Follow, User
from veza.models.track import (
    TRACK_COMPLETED,
    TRACK_PROCESSING,
    UPLOAD_ACTIVE,
    Track,
    TrackHistory,
    TrackVersion,
    UploadChunk,
    UploadSession,
)
from veza.tracks import taxonomy
from veza.users.repository import author_is_readable, not_hidden_from


def is_admin(user: User | None) -> bool:
    return user is not None and (user.is_admin or user.role == "admin")


def readable_condition(viewer: User | None) -> ColumnElement[bool]:
    """Who may see a track: anyone for a public completed track of a live account (not deleted,
    active, not banned); its creator and administrators always. A soft-deleted track is seen by
    nobody. (Share tokens are checked separately, per request.)"""
    not_deleted = Track.deleted_at.is_(None)
    public = and_(
        Track.is_public.is_(True),
        Track.status == TRACK_COMPLETED,
        author_is_readable(Track.creator_id),
    )
    if viewer is None:
        return and_(not_deleted, public)
    if is_admin(viewer):
        return not_deleted
    return and_(not_deleted, or_(Track.creator_id == viewer.id, public))


def visible_condition(viewer: User | None) -> ColumnElement[bool]:
    """What the catalog shows a viewer: readable tracks, minus those of users a block stands
    between (either way; administrators see through blocks). Lists, the track page, lyrics,
    stats, likes, reposts and recommendations all use it."""
    readable = readable_condition(viewer)
    if viewer is None or is_admin(viewer):
        return readable
    return and_(readable, not_hidden_from(Track.creator_id, viewer.id))


def readable_by(viewer: User | None) -> Select[Track]:
    return select(Track).where(readable_condition(viewer))


async def get_readable(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None
) -> Track | None:
    track: Track | None = await session.scalar(readable_by(viewer).where(Track.id == track_id))
    return track


async def get_visible(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None, *, for_update: bool = False
) -> Track | None:
    statement = select(Track).where(Track.id == track_id, visible_condition(viewer))
    if for_update:
        statement = statement.with_for_update(of=Track)
    track: Track | None = await session.scalar(statement)
    return track


async def get_track(
    session: AsyncSession, track_id: uuid.UUID, *, for_update: bool = False
) -> Track | None:
    statement = select(Track).where(Track.id == track_id)
    if for_update:
        statement = statement.with_for_update()
    track: Track | None = await session.scalar(statement)
    return track


# Quota ---------------------------------------------------------------------------------------


async def stored_bytes(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Bytes of every audio version the user's tracks keep."""
    total = await session.scalar(
        select(func.coalesce(func.sum(TrackVersion.file_size), 0))
        .join(Track, Track.id == TrackVersion.track_id)
        .where(Track.creator_id == user_id, Track.deleted_at.is_(None))
    )
    return int(total or 0)


async def reserved_bytes(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
    """Bytes announced by the user's unfinished chunked uploads (counted against the quota)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(UploadSession.total_size), 0)).where(
            UploadSession.user_id == user_id,
            UploadSession.status == UPLOAD_ACTIVE,
            UploadSession.expires_at > now,
        )
    )
    return int(total or 0)


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
    """Record one change to a track (the other tracks issues call this on metadata updates)."""
    entry = TrackHistory(track_id=track_id, user_id=user_id, action=action, changes=changes)
    session.add(entry)
    return entry


async def history_page(
    session: AsyncSession, track_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[Sequence[TrackHistory], int]:
    total = await session.scalar(select(func.count()).where(TrackHistory.track_id == track_id))
    rows = await session.scalars(
        select(TrackHistory)
        .where(TrackHistory.track_id == track_id)
        .order_by(TrackHistory.created_at.desc(), TrackHistory.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


# Upload sessions -----------------------------------------------------------------------------


async def get_upload_session(
    session: AsyncSession, upload_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
) -> UploadSession | None:
    statement = select(UploadSession).where(
        UploadSession.id == upload_id, UploadSession.user_id == user_id
    )
    if for_update:
        statement = statement.with_for_update()
    upload: UploadSession | None = await session.scalar(statement)
    return upload


async def received_chunks(session: AsyncSession, upload_id: uuid.UUID) -> list[tuple[int, int]]:
    """(chunk number, size) of every chunk held, in order."""
    rows = await session.execute(
        select(UploadChunk.chunk_number, UploadChunk.size)
        .where(UploadChunk.session_id == upload_id)
        .order_by(UploadChunk.chunk_number)
    )
    return [(int(number), int(size)) for number, size in rows.all()]


async def record_chunk(
    session: AsyncSession, upload_id: uuid.UUID, chunk_number: int, size: int, now: datetime
) -> None:
    """Insert or replace a chunk's row in one statement (a re-sent chunk simply replaces it)."""
    values = {
        "session_id": upload_id,
        "chunk_number": chunk_number,
        "size": size,
        "received_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(UploadChunk).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["session_id", "chunk_number"],
        set_={"size": statement.excluded.size, "received_at": statement.excluded.received_at},
    )
    await session.execute(statement)


async def claim_upload(session: AsyncSession, upload_id: uuid.UUID, new_status: str) -> bool:
    """Move an active session to ``new_status``; False when another request already did."""
    result = await session.execute(
        update(UploadSession)
        .where(UploadSession.id == upload_id, UploadSession.status == UPLOAD_ACTIVE)
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def expired_uploads(
    session: AsyncSession, now: datetime, limit: int = 500
) -> Sequence[uuid.UUID]:
    rows = await session.scalars(
        select(UploadSession.id)
        .where(UploadSession.status == UPLOAD_ACTIVE, UploadSession.expires_at <= now)
        .limit(limit)
    )
    return rows.all()


async def delete_uploads(session: AsyncSession, upload_ids: Sequence[uuid.UUID]) -> None:
    if upload_ids:
        await session.execute(delete(UploadChunk).where(UploadChunk.session_id.in_(upload_ids)))
        await session.execute(delete(UploadSession).where(UploadSession.id.in_(upload_ids)))


# Processing ----------------------------------------------------------------------------------


async def tracks_in_processing(session: AsyncSession) -> Sequence[tuple[uuid.UUID, int]]:
    rows = await session.execute(
        select(Track.id, Track.processing_generation).where(Track.status == TRACK_PROCESSING)
    )
    return [(row[0], int(row[1])) for row in rows.all()]


async def start_processing_attempt(
    session: AsyncSession, track_id: uuid.UUID, generation: int, now: datetime
) -> int | None:
    """Count one more attempt at processing this audio; None when the job is stale."""
    result = await session.execute(
        update(Track)
        .where(
            Track.id == track_id,
            Track.status == TRACK_PROCESSING,
            Track.processing_generation == generation,
        )
        .values(processing_attempts=Track.processing_attempts + 1, processing_started_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    attempts = await session.scalar(select(Track.processing_attempts).where(Track.id == track_id))
    return int(attempts or 0)


async def update_if_current(
    session: AsyncSession, track_id: uuid.UUID, generation: int, **values: Any
) -> bool:
    """Write processing results only if the audio did not change meanwhile."""
    result = await session.execute(
        update(Track)
        .where(Track.id == track_id, Track.processing_generation == generation)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def tracks_of_user(
    session: AsyncSession, user_id: uuid.UUID, *, except_public: bool
) -> Sequence[Track]:
    statement = select(Track).where(Track.creator_id == user_id)
    if except_public:
        statement = statement.where(Track.is_public.is_(False))
    result = await session.scalars(statement)
    return result.all()


# Catalog -------------------------------------------------------------------------------------

# Databases keep OFFSET in a signed 64-bit integer; a page far past the end is simply empty.
_MAX_OFFSET = 2**62


@dataclass(frozen=True)
class CatalogFilters:
    creator_id: uuid.UUID | None = None
    genre: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class SortKey:
    """A catalog order: its column expression and direction (ties broken by id, same way)."""

    name: str
    column: Any
    descending: bool


SORT_KEYS = {
    "created_at": SortKey("created_at", Track.created_at, True),
    "play_count": SortKey("play_count", Track.play_count, True),
    "title": SortKey("title", func.lower(Track.title), False),
}


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


def _filtered(viewer: User | None, filters: CatalogFilters) -> list[ColumnElement[bool]]:
    conditions = [visible_condition(viewer)]
    if filters.creator_id is not None:
        conditions.append(Track.creator_id == filters.creator_id)
    if filters.genre:
        conditions.append(genre_condition([taxonomy.slugify(filters.genre)]))
    if filters.format:
        conditions.append(Track.format == filters.format)
    return conditions


def _after(sort: SortKey, value: Any, track_id: uuid.UUID) -> ColumnElement[bool]:
    """Keyset condition: strictly after (value, id) in the order of ``sort``."""
    if sort.descending:
        return or_(sort.column < value, and_(sort.column == value, Track.id < track_id))
    return or_(sort.column > value, and_(sort.column == value, Track.id > track_id))


def _ordered(sort: SortKey) -> list[Any]:
    if sort.descending:
        return [sort.column.desc(), Track.id.desc()]
    return [sort.column.asc(), Track.id.asc()]


async def catalog_page(
    session: AsyncSession,
    viewer: User | None,
    filters: CatalogFilters,
    sort: SortKey,
    *,
    limit: int,
    offset: int = 0,
    after: tuple[Any, uuid.UUID] | None = None,
) -> tuple[list[Track], int, bool]:
    """(tracks, total matching, whether more follow) of the catalog as the viewer sees it."""
    conditions = _filtered(viewer, filters)
    total = await session.scalar(select(func.count()).select_from(Track).where(*conditions))
    statement = select(Track).where(*conditions)
    if after is not None:
        statement = statement.where(_after(sort, *after))
    else:
        statement = statement.offset(min(offset, _MAX_OFFSET))
    rows = list(await session.scalars(statement.order_by(*_ordered(sort)).limit(limit + 1)))
    return rows[:limit], int(total or 0), len(rows) > limit


def sort_value(sort: SortKey, track: Track) -> Any:
    if sort.name == "created_at":
        return track.created_at.isoformat()
    if sort.name == "play_count":
        return int(track.play_count)
    return track.title.lower()


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
    return bool(getattr(result, "rowcount", 0))


# Recommendations -----------------------------------------------------------------------------

CLOSE_BPM = 6  # "close" BPM for key-based similarity: within this many beats per minute


def _recommendable(viewer: User) -> list[ColumnElement[bool]]:
    """Public completed tracks of others the viewer may see (never their own)."""
    return [
        visible_condition(None),
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
