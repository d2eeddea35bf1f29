"""Rules of the catalog: listing, reading, editing and deleting tracks (one or in batches),
lyrics, suggested tags and recommendations.

Visibility is the repository's ``visible_condition`` everywhere: public completed tracks of live
accounts plus the viewer's own (administrators: every track), never a soft-deleted one, never
one of a user a block stands between.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, true
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import Forbidden, ValidationFailed, VezaError
from veza.kit.handlers import validation_details
from veza.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, decode_cursor, encode_cursor
from veza.models import StorageDeletion, Track, User, utcnow
from veza.models.track import TrackLyrics
from veza.tracks import engagement_repository, repository, schemas, taxonomy
from veza.tracks.dependencies import Media
from veza.tracks.repository import CatalogFilters, SortKey
from veza.tracks.service import TrackNotFound, track_response

AUDIO_FORMATS = ("mp3", "flac", "wav", "ogg", "m4a", "aac")
# Most ids one batch request may name (more is 400).
BATCH_MAX = 50
RECOMMENDATIONS_DEFAULT = 20


class NotTrackOwner(Forbidden):
    code = "NOT_TRACK_OWNER"
    message = "Only the track's owner or an administrator can do this"


# Reading -------------------------------------------------------------------------------------


async def visible_track(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None, *, for_update: bool = False
) -> Track:
    track = await repository.get_visible(session, track_id, viewer, for_update=for_update)
    if track is None:
        raise TrackNotFound()
    return track


async def managed_track(
    session: AsyncSession, track_id: uuid.UUID, user: User, *, for_update: bool = False
) -> Track:
    """The track if the caller owns it or is an administrator: 404 when they cannot see it,
    403 when they can but may not change it."""
    track = await visible_track(session, track_id, user, for_update=for_update)
    if track.creator_id != user.id and not repository.is_admin(user):
        raise NotTrackOwner()
    return track


async def get_track(
    session: AsyncSession, media: Media, viewer: User | None, track_id: uuid.UUID
) -> schemas.TrackEnvelopeData:
    track = await visible_track(session, track_id, viewer)
    return schemas.TrackEnvelopeData(track=track_response(track, media, viewer))


def _limit(limit: int | None, *, field: str = "limit") -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1:
        raise ValidationFailed.field(field, "must be at least 1", limit)
    return min(limit, MAX_LIMIT)


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
    sort = repository.SORT_KEYS.get(name)
    if sort is None:
        raise ValidationFailed.field(
            "sort_by", f"must be one of {', '.join(repository.SORT_KEYS)}", sort_by
        )
    return sort


def _cursor_position(cursor: str, sort: SortKey) -> tuple[Any, uuid.UUID]:
    """The (sort value, id) a cursor continues after; it must belong to the same order."""
    position = decode_cursor(cursor)
    try:
        if position.get("s") != sort.name:
            raise ValueError("cursor of another order")
        track_id = uuid.UUID(str(position["id"]))
        value = position["v"]
        if sort.name == "created_at":
            value = datetime.fromisoformat(str(value))
            if value.tzinfo is None:
                raise ValueError("naive time")
        elif sort.name == "play_count":
            value = int(value)
        elif not isinstance(value, str):
            raise ValueError("bad title")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed.field("cursor", "invalid cursor", cursor) from exc
    return value, track_id


def _next_cursor(sort: SortKey, last: Track) -> str:
    return encode_cursor(
        {"s": sort.name, "v": repository.sort_value(sort, last), "id": str(last.id)}
    )


async def list_tracks(
    session: AsyncSession,
    media: Media,
    viewer: User | None,
    *,
    cursor: str | None,
    page: int | None,
    limit: int | None,
    user_id: str | None,
    genre: str | None,
    format: str | None,
    sort_by: str | None,
) -> schemas.TrackList:
    size = _limit(limit)
    if page is not None and page < 1:
        raise ValidationFailed.field("page", "must be at least 1", page)
    filters = _filters(user_id, genre, format)
    sort = _sort(sort_by)
    if cursor:
        after = _cursor_position(cursor, sort)
        tracks, total, more = await repository.catalog_page(
            session, viewer, filters, sort, limit=size, after=after
        )
        pagination = schemas.CatalogPagination(
            limit=size,
            total=total,
            total_pages=math.ceil(total / size) if total else 0,
            has_next=more,
        )
    else:
        number = min(page or 1, MAX_PAGE)
        tracks, total, more = await repository.catalog_page(
            session, viewer, filters, sort, limit=size, offset=(number - 1) * size
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
        pagination.next_cursor = _next_cursor(sort, tracks[-1])
    return schemas.TrackList(
        tracks=[track_response(track, media, viewer) for track in tracks], pagination=pagination
    )


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


async def update_track(
    session: AsyncSession,
    media: Media,
    user: User,
    track_id: uuid.UUID,
    body: schemas.UpdateTrackRequest,
) -> schemas.TrackEnvelopeData:
    track = await managed_track(session, track_id, user, for_update=True)
    changed = _apply_update(
        session, track, body.model_dump(exclude_unset=True), user, "metadata_updated"
    )
    if "is_public" in changed:
        media.playback.forget(track.id)
    await session.flush()
    return schemas.TrackEnvelopeData(track=track_response(track, media, user))


async def _delete(session: AsyncSession, media: Media, track: Track, user: User) -> None:
    """Soft delete: the row stays for the references to it (comments, likes, history), the
    track vanishes everywhere, and its files go (after the commit) so it no longer counts
    against the quota."""
    if not await repository.soft_delete(session, track.id, utcnow()):
        raise TrackNotFound()
    session.add(StorageDeletion(key=f"tracks/{track.creator_id}/{track.id}", is_prefix=True))
    session.add(StorageDeletion(key=f"hls/{track.id}", is_prefix=True))
    repository.add_history(session, track.id, "deleted", user_id=user.id)
    media.playback.forget(track.id)


async def delete_track(
    session: AsyncSession, media: Media, user: User, track_id: uuid.UUID
) -> schemas.MessageResponse:
    track = await managed_track(session, track_id, user, for_update=True)
    await _delete(session, media, track, user)
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
        return await managed_track(session, track_id, user, for_update=True)
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
    session: AsyncSession, media: Media, user: User, body: schemas.BatchUpdateRequest
) -> schemas.BatchUpdateResult:
    raw_ids = _batch_ids(body.track_ids)
    changes = _batch_updates(body.updates)

    async def update(track: Track) -> None:
        if "is_public" in _apply_update(session, track, changes, user, "metadata_updated"):
            media.playback.forget(track.id)

    updated, failed = await _each_in_savepoint(session, user, raw_ids, update)
    return schemas.BatchUpdateResult(updated=updated, failed=failed)


async def batch_delete(
    session: AsyncSession, media: Media, user: User, body: schemas.BatchDeleteRequest
) -> schemas.BatchDeleteResult:
    raw_ids = _batch_ids(body.track_ids)

    async def delete(track: Track) -> None:
        await _delete(session, media, track, user)

    deleted, failed = await _each_in_savepoint(session, user, raw_ids, delete)
    return schemas.BatchDeleteResult(deleted=deleted, failed=failed)


# Lyrics --------------------------------------------------------------------------------------


def _lyrics_view(lyrics: TrackLyrics | None) -> schemas.LyricsData:
    if lyrics is None:
        return schemas.LyricsData(lyrics=None)
    return schemas.LyricsData(
        lyrics=schemas.LyricsView(
            track_id=lyrics.track_id,
            content=lyrics.content,
            is_synced=lyrics.is_synced,
            lines=[schemas.LyricLineView(**line) for line in lyrics.lines or []],
            created_at=lyrics.created_at,
            updated_at=lyrics.updated_at,
        )
    )


async def get_lyrics(
    session: AsyncSession, viewer: User | None, track_id: uuid.UUID
) -> schemas.LyricsData:
    track = await visible_track(session, track_id, viewer)
    return _lyrics_view(await engagement_repository.get_lyrics(session, track.id))


async def put_lyrics(
    session: AsyncSession, user: User, track_id: uuid.UUID, body: schemas.UpdateLyricsRequest
) -> schemas.LyricsData:
    """Replace the lyrics (stored as given); null, empty or blank content removes them."""
    track = await managed_track(session, track_id, user, for_update=True)
    current = await engagement_repository.get_lyrics(session, track.id)
    content = body.content
    if content is None or not content.strip():
        if current is not None:
            await engagement_repository.delete_lyrics(session, track.id)
            repository.add_history(session, track.id, "lyrics_removed", user_id=user.id)
            await session.flush()
        return _lyrics_view(None)
    lines = [{"time": line.time, "text": line.text} for line in taxonomy.parse_lrc(content)]
    now = utcnow()
    if current is None:
        current = TrackLyrics(track_id=track.id, created_at=now)
        session.add(current)
    elif current.content == content:
        return _lyrics_view(current)
    current.content = content
    current.is_synced = bool(lines)
    current.lines = lines or None
    current.updated_by = user.id
    current.updated_at = now
    repository.add_history(
        session, track.id, "lyrics_updated", user_id=user.id, changes={"synced": bool(lines)}
    )
    await session.flush()
    return _lyrics_view(current)


# Discovery -----------------------------------------------------------------------------------


def suggested_tags(genre: str | None) -> schemas.SuggestedTags:
    resolved, tags = taxonomy.suggested_tags(genre)
    return schemas.SuggestedTags(genre=resolved, tags=list(tags))


def _recommended(
    track: Track, media: Media, viewer: User, reasons: list[str]
) -> schemas.RecommendedTrack:
    response = track_response(track, media, viewer, schemas.RecommendedTrack)
    response.reasons = reasons
    return response


async def recommendations(
    session: AsyncSession,
    media: Media,
    user: User,
    limit: int | None,
    seed_track_id: str | None,
) -> schemas.Recommendations:
    """Declarative and explainable, newest first, never behavioural: with a seed, tracks that
    share its genre, a tag, or its key with a close BPM; without one, tracks of creators the
    caller follows and of the genres they declared, then the newest releases. Never the
    caller's own tracks nor those of users a block stands between."""
    size = min(max(limit if limit is not None else RECOMMENDATIONS_DEFAULT, 1), MAX_LIMIT)
    if seed_track_id is not None and seed_track_id.strip():
        try:
            seed_id = uuid.UUID(seed_track_id.strip())
        except ValueError as exc:
            raise ValidationFailed.field(
                "seed_track_id", "must be a track id (UUID)", seed_track_id
            ) from exc
        seed = await visible_track(session, seed_id, user)
        rules = repository.similar_to(seed)
        picked = await _pick(session, user, rules, size, exclude={seed.id}, fill=False)
    else:
        rules = {"followed_creator": repository.by_followed_creators(user.id)}
        declared = [taxonomy.slugify(genre) for genre in user.genres or []]
        if declared:
            rules["your_genres"] = repository.genre_condition(declared)
        picked = await _pick(session, user, rules, size, exclude=set(), fill=True)
    return schemas.Recommendations(
        tracks=[_recommended(track, media, user, reasons) for track, reasons in picked]
    )


async def _pick(
    session: AsyncSession,
    user: User,
    rules: dict[str, Any],
    size: int,
    *,
    exclude: set[uuid.UUID],
    fill: bool,
) -> list[tuple[Track, list[str]]]:
    """The newest tracks matching any rule, each with every rule it matches."""
    found: dict[uuid.UUID, tuple[Track, list[str]]] = {}
    if rules:
        for track in await repository.newest_matching(
            session, user, or_(*rules.values()), limit=size, exclude=exclude
        ):
            found[track.id] = (track, [])
        for reason, condition in rules.items():
            if not found:
                break
            matching = await repository.newest_matching(
                session, user, condition, limit=size, exclude=exclude, within=list(found)
            )
            for track in matching:
                found[track.id][1].append(reason)
    picked = list(found.values())
    if fill and len(picked) < size:
        newest = await repository.newest_matching(
            session, user, true(), limit=size - len(picked), exclude={*exclude, *found}
        )
        picked.extend((track, ["new_release"]) for track in newest)
    return picked
