"""A playlist as a given viewer may see it: the one place its response is built."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row

from veza.models import PlaylistCollaborator, User
from veza.models.playlist import Playlist
from veza.models.track import Track
from veza.playlists import schemas
from veza.tracks.presenters import track_response


def snapshot_id(version: int) -> str:
    return str(version)


def etag(version: int) -> str:
    """The playlist's ETag: its version, quoted (a strong validator)."""
    return f'"{snapshot_id(version)}"'


def collaborator_response(
    collaborator: PlaylistCollaborator, user: User | None
) -> schemas.CollaboratorResponse:
    card = (
        schemas.CollaboratorUser(
            id=user.id,
            username=user.username,
            slug=user.slug,
            first_name=user.first_name,
            last_name=user.last_name,
            avatar=user.avatar,
            role=user.role,
            is_verified=user.is_verified,
            is_public=user.is_public,
            created_at=user.created_at,
        )
        if user is not None
        else None
    )
    return schemas.CollaboratorResponse(
        id=collaborator.id,
        playlist_id=collaborator.playlist_id,
        user_id=collaborator.user_id,
        permission=collaborator.permission,
        user=card,
        created_at=collaborator.created_at,
        updated_at=collaborator.updated_at,
    )


def entry_responses(
    playlist_id: uuid.UUID, rows: Sequence[Row[Any]], public_url: str, viewer: User | None
) -> list[schemas.PlaylistTrackResponse]:
    """The entries shown (``repository.shown_entries``), numbered 0..n-1 as the viewer sees
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
