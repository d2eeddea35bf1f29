"""New playlists made from others: duplicate a readable playlist, import the contract's JSON
or a JSPF document. Both make a private playlist of the caller's and hold only tracks the
caller may read; an import reports every item it did not add, and why."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.models import User, utcnow
from veza.models.playlist import Playlist
from veza.playlists import entry_queries, repository, schemas
from veza.playlists.access import readable_playlist
from veza.playlists.changes import DUPLICATED, IMPORTED, changed
from veza.playlists.dependencies import PlaylistTools
from veza.playlists.service import full_response

COPY_SUFFIX = " (copy)"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _new_playlist(user: User, title: str, description: str | None, now: datetime) -> Playlist:
    return Playlist(
        id=uuid.uuid4(),
        user_id=user.id,
        title=title,
        description=description,
        is_public=False,
        is_default_favorites=False,
        is_editorial=False,
        follower_count=0,
        entry_count=0,
        version=1,
        created_at=now,
        updated_at=now,
    )


async def _fill(
    session: AsyncSession, playlist: Playlist, user: User, track_ids: list[uuid.UUID]
) -> None:
    """Entries 0..n-1 of ``track_ids`` (already checked), written in one statement."""
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "playlist_id": playlist.id,
            "track_id": track_id,
            "position": position,
            "added_by": user.id,
            "added_at": now,
        }
        for position, track_id in enumerate(track_ids)
    ]
    playlist.entry_count = len(rows)
    repository.add(session, playlist)
    await session.flush()
    await entry_queries.insert_entries(session, rows)


async def duplicate(
    session: AsyncSession, user: User, playlist_id: uuid.UUID, *, tools: PlaylistTools
) -> schemas.PlaylistData:
    """Whoever may read the source: its title with a suffix, description, cover and the tracks
    the caller may read, in order, into a new private playlist of the caller."""
    source = (await readable_playlist(session, playlist_id, user)).playlist
    track_ids = (await entry_queries.copyable_track_ids(session, source.id, user))[
        : tools.max_tracks
    ]
    title = source.title[: schemas.MAX_TITLE_LENGTH - len(COPY_SUFFIX)] + COPY_SUFFIX
    copy = _new_playlist(user, title, source.description, utcnow())
    copy.cover_path = source.cover_path
    await _fill(session, copy, user, track_ids)
    await changed(session, tools, user, copy.id, DUPLICATED, {"source_id": str(source.id)})
    return schemas.PlaylistData(playlist=await full_response(session, copy, user, tools.public_url))


# Import --------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    index: int
    track_id: uuid.UUID | None
    id_text: str | None = None
    title: str | None = None
    creator: str | None = None
    unmatched: bool = False  # a JSPF item without an id whose title and artist match nothing


def _uuid_in(values: Iterable[str]) -> uuid.UUID | None:
    for value in values:
        found = _UUID.search(value)
        if found:
            return uuid.UUID(found.group())
    return None


def _strings(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _from_contract(items: list[schemas.ImportPlaylistRequestTracksItem]) -> list[_Candidate]:
    candidates = []
    for index, item in enumerate(items):
        text = (item.id or "").strip()
        try:
            track_id: uuid.UUID | None = uuid.UUID(text)
        except ValueError:
            track_id = None
        candidates.append(_Candidate(index, track_id, id_text=item.id))
    return candidates


async def _from_jspf(
    session: AsyncSession, user: User, items: list[schemas.JspfTrack]
) -> list[_Candidate]:
    candidates = []
    for index, item in enumerate(items):
        named = _uuid_in([*_strings(item.identifier), *_strings(item.location)])
        candidate = _Candidate(index, named, title=item.title, creator=item.creator)
        if named is None:
            candidate.track_id = (
                await entry_queries.match_by_title(session, user, item.title, item.creator)
                if item.title and item.title.strip()
                else None
            )
            candidate.unmatched = candidate.track_id is None
        else:
            candidate.id_text = str(named)
        candidates.append(candidate)
    return candidates


def _skip(candidate: _Candidate, reason: str) -> schemas.SkippedItem:
    return schemas.SkippedItem(
        index=candidate.index,
        id=candidate.id_text,
        title=candidate.title,
        creator=candidate.creator,
        reason=reason,
    )


async def _choose(
    session: AsyncSession, user: User, candidates: list[_Candidate], max_tracks: int
) -> tuple[list[uuid.UUID], list[schemas.SkippedItem]]:
    listed = await entry_queries.listed_track_ids(
        session, [c.track_id for c in candidates if c.track_id is not None], user
    )
    chosen: list[uuid.UUID] = []
    skipped: list[schemas.SkippedItem] = []
    for candidate in candidates:
        if candidate.track_id is None:
            skipped.append(_skip(candidate, "unmatched" if candidate.unmatched else "invalid_id"))
        elif candidate.track_id not in listed:
            skipped.append(_skip(candidate, "not_found"))
        elif candidate.track_id in chosen:
            skipped.append(_skip(candidate, "duplicate"))
        elif len(chosen) >= max_tracks:
            skipped.append(_skip(candidate, "playlist_full"))
        else:
            chosen.append(candidate.track_id)
    return chosen, skipped


def _title_of(body: schemas.ImportPlaylistRequest) -> str:
    title = (body.playlist.title if body.playlist else None) or ""
    if not title.strip():
        raise ValidationFailed.field("playlist.title", "is required")
    return title.strip()[: schemas.MAX_TITLE_LENGTH]


async def import_playlist(
    session: AsyncSession,
    user: User,
    body: schemas.ImportPlaylistRequest,
    *,
    tools: PlaylistTools,
) -> schemas.ImportResult:
    """The contract's ``{playlist: {title, description, is_public}, tracks: [{id}]}``, or a
    JSPF document ``{playlist: {title, annotation, track: [...]}}``, in the order given."""
    title = _title_of(body)
    meta = body.playlist
    assert meta is not None
    if body.tracks is not None:
        candidates = _from_contract(body.tracks)
    else:
        candidates = await _from_jspf(session, user, meta.track or [])
    chosen, skipped = await _choose(session, user, candidates, tools.max_tracks)
    playlist = _new_playlist(user, title, meta.description or meta.annotation, utcnow())
    playlist.is_public = bool(meta.is_public)
    await _fill(session, playlist, user, chosen)
    details = {"added": len(chosen), "skipped": len(skipped)}
    await changed(session, tools, user, playlist.id, IMPORTED, details)
    return schemas.ImportResult(
        playlist=await full_response(session, playlist, user, tools.public_url),
        added=len(chosen),
        skipped=skipped,
    )
