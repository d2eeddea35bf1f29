"""Rules of the catalog: listing, reading, editing and deleting tracks, one or in batches.

What a caller sees is the repository's ``listed_for`` everywhere (tracks/access.py for one
track by id). A change others could see (visibility, deletion) is announced as TRACK_CHANGED,
so caches of other domains forget the track once the change commits.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import changes as audit_changes
from veza.audit.service import record
from veza.kit import events
from veza.kit.db import Reads
from veza.kit.errors import ValidationFailed, VezaError
from veza.kit.files import forget
from veza.kit.pagination import CursorCodec, checked_limit, checked_page, cursor_codec
from veza.kit.validation import validation_details
from veza.models import Track, User, Viewer, utcnow
from veza.tracks import catalog, keys, repository, schemas
from veza.tracks.access import editable_track, listed_track_row
from veza.tracks.catalog import CatalogFilters, SortKey
from veza.tracks.errors import NotTrackOwner, TrackNotFound
from veza.tracks.presenters import track_json, track_list_json, track_response

AUDIO_FORMATS = ("mp3", "flac", "wav", "ogg", "m4a", "aac")
# Most ids one batch request may name (more is 400).
BATCH_MAX = 50


# Reading -------------------------------------------------------------------------------------


async def get_track(
    reads: Reads, viewer: User | None, track_id: uuid.UUID, *, public_url: str
) -> bytes:
    """The track as the JSON of ``Envelope[TrackEnvelopeData]`` (``presenters.track_json``)."""
    return track_json(await listed_track_row(reads, track_id, viewer), public_url, viewer)


def _filters(user_id: str | None, genre: str | None, format: str | None) -> CatalogFilters:
    creator_id = None
    if user_id is not None and user_id.strip():
        try:
            creator_id = uuid.UUID(user_id.strip())
        except ValueError as exc:
            raise ValidationFailed.field("user_id", "must be a user id (UUID)", user_id) from exc
    audio_format = (format or "").strip().lower() or None
    if audio_format is not None and audio_format not in AUDIO_FORMATS:
        raise ValidationFailed.field("format", f"must be one of {', '.join(AUDIO_FORMATS)}", format)
    return CatalogFilters(
        creator_id=creator_id, genre=(genre or "").strip() or None, format=audio_format
    )


def _sort(sort_by: str | None) -> SortKey:
    name = (sort_by or "").strip() or "created_at"
    sort = catalog.SORT_KEYS.get(name)
    if sort is None:
        raise ValidationFailed.field(
            "sort_by", f"must be one of {', '.join(catalog.SORT_KEYS)}", sort_by
        )
    return sort


# Bounds of what a cursor may hold, checked even though we signed it: a cursor is only ever
# read back into a query, so no value in it may be one the database cannot take.
_MAX_PLAY_COUNT = 2**63 - 1
_MAX_CURSOR_TEXT = 1024


def _cursor_value(sort: SortKey, value: Any) -> Any:
    """The sort value of a decoded cursor, of the order's type and within its bounds."""
    if sort.name == "created_at":
        if not isinstance(value, str) or len(value) > 64:
            raise ValueError("not a time")
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() != timedelta(0):
            raise ValueError("not a UTC time")  # we write UTC times only
        return moment
    if sort.name == "play_count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("not a count")
        if not 0 <= value <= _MAX_PLAY_COUNT:
            raise ValueError("count out of range")
        return value
    if not isinstance(value, str) or len(value) > _MAX_CURSOR_TEXT:
        raise ValueError("not a title")
    return value


def _cursor_position(codec: CursorCodec, cursor: str, sort: SortKey) -> tuple[Any, uuid.UUID]:
    """The (sort value, id) a cursor continues after; it must belong to the same order."""
    position = codec.decode(cursor)
    try:
        if position.get("s") != sort.name or not isinstance(position.get("id"), str):
            raise ValueError("cursor of another order")
        return _cursor_value(sort, position.get("v")), uuid.UUID(position["id"])
    except ValueError as exc:
        raise ValidationFailed.field("cursor", "invalid cursor", cursor) from exc


def _next_cursor(codec: CursorCodec, sort: SortKey, last: Track | Row[Any]) -> str:
    return codec.encode({"s": sort.name, "v": catalog.sort_value(sort, last), "id": str(last.id)})


async def list_tracks(
    reads: Reads,
    viewer: Viewer | None,
    *,
    public_url: str,
    cursor: str | None,
    page: int | None,
    limit: int | None,
    user_id: str | None,
    genre: str | None,
    format: str | None,
    sort_by: str | None,
) -> bytes:
    """The catalog's page, the JSON of ``Envelope[TrackList]`` (``presenters.track_list_json``)."""
    size = checked_limit(limit)
    number = checked_page(page)
    filters = _filters(user_id, genre, format)
    sort = _sort(sort_by)
    codec = cursor_codec(reads)
    if cursor:
        after = _cursor_position(codec, cursor, sort)
        tracks, total, more = await catalog.catalog_page(
            reads, viewer, filters, sort, limit=size, after=after
        )
        pagination = schemas.CatalogPagination(
            limit=size,
            total=total,
            total_pages=math.ceil(total / size) if total else 0,
            has_next=more,
        )
    else:
        tracks, total, more = await catalog.catalog_page(
            reads, viewer, filters, sort, limit=size, offset=(number - 1) * size
        )
        pagination = schemas.CatalogPagination(
            page=number,
            limit=size,
            total=total,
            total_pages=math.ceil(total / size) if total else 0,
            has_next=more,
            has_prev=number > 1,
        )
    if more and tracks:
        pagination.next_cursor = _next_cursor(codec, sort, tracks[-1])
    return track_list_json(tracks, pagination, public_url, viewer)


# Editing -------------------------------------------------------------------------------------


def _history_value(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


def _apply_update(
    session: AsyncSession, track: Track, changes: dict[str, Any], user: User, action: str
) -> dict[str, list[Any]]:
    """Set the given fields; record what really changed in the track's history."""
    changed: dict[str, list[Any]] = {}
    for field, value in changes.items():
        if field == "title" and value is None:
            continue  # a title can be changed, not removed
        before = getattr(track, field)
        if before == value:
            continue
        setattr(track, field, value)
        changed[field] = [_history_value(before), _history_value(value)]
    if changed:
        track.updated_at = utcnow()
        repository.add_history(session, track.id, action, user_id=user.id, changes=changed)
    return changed


async def _update(session: AsyncSession, track: Track, changes: dict[str, Any], user: User) -> None:
    changed = _apply_update(session, track, changes, user, "metadata_updated")
    if changed:
        before = {field: values[0] for field, values in changed.items()}
        after = {field: values[1] for field, values in changed.items()}
        await record(
            session,
            "track.update",
            user_id=user.id,
            resource="track",
            resource_id=track.id,
            details=audit_changes(before, after),
        )
    if "is_public" in changed:
        await events.publish(session, events.TRACK_CHANGED, track_id=track.id)


async def update_track(
    session: AsyncSession,
    user: User,
    track_id: uuid.UUID,
    body: schemas.UpdateTrackRequest,
    *,
    public_url: str,
) -> schemas.TrackEnvelopeData:
    track = await editable_track(session, track_id, user, for_update=True)
    await _update(session, track, body.model_dump(exclude_unset=True), user)
    await session.flush()
    return schemas.TrackEnvelopeData(track=track_response(track, public_url, user))


async def _delete(session: AsyncSession, track: Track, user: User) -> None:
    """Soft delete: the row stays for the references to it (comments, likes, history), the
    track vanishes everywhere, and its files go (after the commit) so it no longer counts
    against the quota."""
    if not await repository.soft_delete(session, track.id, utcnow()):
        raise TrackNotFound()
    forget_files_of(session, track)
    repository.add_history(session, track.id, "deleted", user_id=user.id)
    await record(
        session,
        "track.delete",
        user_id=user.id,
        resource="track",
        resource_id=track.id,
        details={"before": {"title": track.title, "creator_id": str(track.creator_id)}},
    )
    await events.publish(session, events.TRACK_CHANGED, track_id=track.id)


def forget_files_of(session: AsyncSession, track: Track) -> None:
    """Every file of the track (each version's audio, waveform, cover, HLS) goes after the
    commit."""
    forget(session, keys.track_files(track.creator_id, track.id), prefix=True)
    forget(session, keys.hls_files(track.id), prefix=True)


async def delete_track(
    session: AsyncSession, user: User, track_id: uuid.UUID
) -> schemas.MessageResponse:
    track = await editable_track(session, track_id, user, for_update=True)
    await _delete(session, track, user)
    await session.flush()
    return schemas.MessageResponse(message="Track deleted")


# Batches -------------------------------------------------------------------------------------


def _batch_ids(raw_ids: list[str]) -> list[str]:
    if len(raw_ids) > BATCH_MAX:
        raise ValidationFailed.field(
            "track_ids", f"at most {BATCH_MAX} tracks per request", len(raw_ids)
        )
    unique: list[str] = []
    for raw in raw_ids:
        if raw not in unique:
            unique.append(raw)
    return unique


def _batch_updates(updates: dict[str, Any]) -> dict[str, Any]:
    """The updates map, checked as UpdateTrackRequest: only its fields, with its rules."""
    if not updates:
        raise ValidationFailed.field("updates", "nothing to update")
    allowed = schemas.UpdateTrackRequest.model_fields
    unknown = sorted(name for name in updates if name not in allowed)
    if unknown:
        raise ValidationFailed(
            "Only track metadata can be updated in a batch",
            details=[
                {
                    "field": f"updates.{name}",
                    "message": f"not an updatable field (allowed: {', '.join(sorted(allowed))})",
                    "value": "",
                }
                for name in unknown
            ],
        )
    try:
        parsed = schemas.UpdateTrackRequest.model_validate(updates)
    except ValidationError as exc:
        details = validation_details(exc.errors())
        for detail in details:
            detail["field"] = f"updates.{detail['field']}"
        raise ValidationFailed(details=details) from exc
    return parsed.model_dump(exclude_unset=True)


def _failure(raw_id: str, error: VezaError) -> schemas.BatchFailure:
    return schemas.BatchFailure(id=raw_id, code=error.code, message=error.message)


async def _each_managed(
    session: AsyncSession, user: User, raw_id: str
) -> Track | schemas.BatchFailure:
    try:
        track_id = uuid.UUID(raw_id.strip())
    except ValueError:
        return schemas.BatchFailure(id=raw_id, code="INVALID_ID", message="Not a track id")
    try:
        return await editable_track(session, track_id, user, for_update=True)
    except (TrackNotFound, NotTrackOwner) as error:
        return _failure(raw_id, error)


async def _each_in_savepoint(
    session: AsyncSession,
    user: User,
    raw_ids: list[str],
    apply: Callable[[Track], Awaitable[None]],
) -> tuple[list[str], list[schemas.BatchFailure]]:
    """Run ``apply`` on every track the user manages: (ids done, failures). Each track in its
    own savepoint, so one failure never undoes or stops the others."""
    done: list[str] = []
    failed: list[schemas.BatchFailure] = []
    for raw_id in raw_ids:
        async with session.begin_nested():
            found = await _each_managed(session, user, raw_id)
            if isinstance(found, schemas.BatchFailure):
                failed.append(found)
                continue
            try:
                await apply(found)
            except TrackNotFound as error:
                failed.append(_failure(raw_id, error))
                continue
            await session.flush()
            done.append(str(found.id))
    return done, failed


async def batch_update(
    session: AsyncSession, user: User, body: schemas.BatchUpdateRequest
) -> schemas.BatchUpdateResult:
    raw_ids = _batch_ids(body.track_ids)
    changes = _batch_updates(body.updates)

    async def update(track: Track) -> None:
        await _update(session, track, changes, user)

    updated, failed = await _each_in_savepoint(session, user, raw_ids, update)
    return schemas.BatchUpdateResult(updated=updated, failed=failed)


async def batch_delete(
    session: AsyncSession, user: User, body: schemas.BatchDeleteRequest
) -> schemas.BatchDeleteResult:
    raw_ids = _batch_ids(body.track_ids)

    async def delete(track: Track) -> None:
        await _delete(session, track, user)

    deleted, failed = await _each_in_savepoint(session, user, raw_ids, delete)
    return schemas.BatchDeleteResult(deleted=deleted, failed=failed)
