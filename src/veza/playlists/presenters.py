"""A playlist as a given viewer may see it: the one place its response is built."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Row

from veza.kit.envelope import ok_json
from veza.models import User, Viewer
from veza.models.playlist import Playlist
from veza.models.track import Track
from veza.playlists import schemas
from veza.playlists.collaborator_queries import CARD_FIELDS
from veza.tracks.presenters import (
    TRACK_FIELDS,
    Creators,
    format_uuid,
    track_payload,
    track_response,
)


def snapshot_id(version: int) -> str:
    return str(version)


def etag(version: int) -> str:
    """The playlist's ETag: its version, quoted (a strong validator)."""
    return f'"{snapshot_id(version)}"'


def collaborator_response(row: Row[Any]) -> schemas.CollaboratorResponse:
    """A row of ``collaborator_queries.collaborators`` (or ``collaborator_row``) as its response."""
    card = schemas.CollaboratorUser(
        id=row.user_id, **{name: getattr(row, f"user_{name}") for name in CARD_FIELDS}
    )
    return schemas.CollaboratorResponse(
        id=row.id,
        playlist_id=row.playlist_id,
        user_id=row.user_id,
        permission=row.permission,
        user=card,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def entry_responses(
    playlist_id: uuid.UUID, rows: Sequence[Row[Any]], public_url: str, viewer: User | None
) -> list[schemas.PlaylistTrackResponse]:
    """The entries shown (``entry_queries.shown_entries``), numbered 0..n-1 as the viewer sees
    them; each row carries the track's columns under the Track's names."""
    return [
        schemas.PlaylistTrackResponse(
            id=row.entry_id,
            playlist_id=playlist_id,
            track_id=row.id,
            position=index,
            added_by=row.entry_added_by,
            added_at=row.entry_added_at,
            track=track_response(cast(Track, row), public_url, viewer),
        )
        for index, row in enumerate(rows)
    ]


def playlist_response(
    playlist: Playlist,
    *,
    track_count: int,
    tracks: list[schemas.PlaylistTrackResponse] | None = None,
    collaborators: list[schemas.CollaboratorResponse] | None = None,
) -> schemas.PlaylistResponse:
    return schemas.PlaylistResponse(
        id=playlist.id,
        user_id=playlist.user_id,
        title=playlist.title,
        description=playlist.description,
        is_public=playlist.is_public,
        # Covers are storage keys; no playlist cover is served yet, so none is linked.
        cover_url=None,
        is_default_favorites=playlist.is_default_favorites,
        is_editorial=playlist.is_editorial,
        follower_count=playlist.follower_count,
        track_count=track_count,
        snapshot_id=snapshot_id(playlist.version),
        tracks=tracks,
        collaborators=collaborators,
        created_at=playlist.created_at,
        updated_at=playlist.updated_at,
    )


# The playlist page, encoded in one pass ----------------------------------------------------
#
# A playlist of thousands of tracks is the one response where building a pydantic model per
# track costs more than the query (docs/PERFORMANCE.md). ``playlist_page_json`` writes the same
# JSON as ``Envelope[PlaylistData]`` with ``exclude_none`` (a test holds the two equal), with
# the catalog's own rules for what a viewer sees of a track (``sees_counts``, the links).

_PLAYLIST_FIELDS = tuple(schemas.PlaylistResponse.model_fields)
# The entry's own columns in a row of entry_queries.shown_entries.
ENTRY_COLUMNS = ("entry_id", "entry_added_by", "entry_added_at")


def playlist_page_json(
    playlist: schemas.PlaylistResponse,
    playlist_id: uuid.UUID,
    rows: Sequence[Row[Any]],
    public_url: str,
    viewer: Viewer | None,
) -> bytes:
    """``{"success": true, "data": {"playlist": ...}}`` of ``playlist`` (built without its
    tracks) with the entry ``rows`` (``entry_queries.shown_entries_raw_ids``) as its tracks."""
    dumped = playlist.model_dump(mode="json", exclude_none=True)
    tracks: list[dict[str, Any]] = []
    # The keys in the model's order, as FastAPI writes them, the tracks in their place.
    body = {
        name: tracks if name == "tracks" else dumped[name]
        for name in _PLAYLIST_FIELDS
        if name in dumped or name == "tracks"
    }
    if not rows:
        return ok_json({"playlist": body})
    names = list(rows[0]._fields)
    # The track's fields and the entry's columns by their places in a row, looked up once.
    fields = [name for name in (*TRACK_FIELDS, "hls_path") if name in names]
    track_values = itemgetter(*(names.index(name) for name in fields))
    entry_values = itemgetter(*(names.index(name) for name in ENTRY_COLUMNS))
    creators = Creators()
    for index, row in enumerate(rows):
        entry_id, added_by, added_at = entry_values(row)
        track = track_payload(track_values(row), fields, creators, public_url, viewer)
        entry = {
            "id": format_uuid(entry_id),
            "playlist_id": playlist_id,
            "track_id": track["id"],
            "position": index,
        }
        if added_by is not None:
            entry["added_by"] = format_uuid(added_by)
        entry["added_at"] = added_at
        entry["track"] = track
        tracks.append(entry)
    return ok_json({"playlist": body})
