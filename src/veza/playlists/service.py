"""Playlists themselves: list, create, read, update, delete, the favourites playlist,
recommendations and analytics. Entries live in items.py, collaborators in collaborators.py,
share links in sharing.py, copies (duplicate, import) in copies.py, exports in formats.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Reads, write_transaction
from veza.kit.errors import ValidationFailed
from veza.kit.pagination import PageParams, checked_limit, pagination
from veza.models import User, Viewer, utcnow
from veza.models.playlist import Playlist
from veza.playlists import collaborator_queries, entry_queries, repository, schemas
from veza.playlists.access import (
    PlaylistAccess,
    analytics_viewer,
    managed_playlist,
    metadata_editor,
    readable_page_head,
)
from veza.playlists.changes import CREATED, DELETED, UPDATED, changed
from veza.playlists.dependencies import PlaylistTools
from veza.playlists.errors import FavoritesNotShared, FavoritesStayPrivate, StaleSnapshot
from veza.playlists.items import expected_version, locked
from veza.playlists.presenters import (
    collaborator_response,
    entry_responses,
    playlist_page_json,
    playlist_response,
)

FAVORITES_TITLE = "Favoris"


# Responses -----------------------------------------------------------------------------------


async def listed_responses(
    session: AsyncSession, playlists: Sequence[Playlist], viewer: User | None
) -> list[schemas.PlaylistResponse]:
    """Playlists in a list: their track_count for the viewer, no tracks."""
    counts = await entry_queries.shown_counts(session, [p.id for p in playlists], viewer)
    return [playlist_response(p, track_count=counts[p.id]) for p in playlists]


async def full_response(
    session: AsyncSession, playlist: Playlist, viewer: User | None, public_url: str
) -> schemas.PlaylistResponse:
    """The playlist with the tracks and collaborators the viewer is shown."""
    entries = await entry_queries.shown_entries(session, playlist.id, viewer)
    collaborators = await collaborator_queries.collaborators(session, [playlist.id], viewer)
    return playlist_response(
        playlist,
        track_count=len(entries),
        tracks=entry_responses(playlist.id, entries, public_url, viewer),
        collaborators=[collaborator_response(row) for row in collaborators],
    )


# Reading -------------------------------------------------------------------------------------


def _user_filter(raw: str | None) -> uuid.UUID | None:
    if raw is None or not raw.strip():
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError as exc:
        raise ValidationFailed.field("user_id", "must be a UUID", raw) from exc


async def list_playlists(
    session: AsyncSession, user: User, paging: PageParams, user_id: str | None
) -> schemas.PlaylistList:
    """The caller's own and collaborative playlists; with ``user_id``, that user's playlists
    the caller may read (none for an unknown user or across a block)."""
    owner_id = _user_filter(user_id)
    condition = (
        repository.own_or_collaborative(user)
        if owner_id is None
        else repository.of_user_for(owner_id, user)
    )
    rows, total = await repository.page_of(
        session, condition, offset=paging.offset, limit=paging.limit
    )
    return schemas.PlaylistList(
        playlists=await listed_responses(session, rows, user),
        pagination=pagination(paging, total),
    )


@dataclass(frozen=True)
class PlaylistPage:
    """GET /playlists/{id}: the encoded envelope and the version it shows (its ETag)."""

    content: bytes
    version: int


async def get_playlist(
    reads: Reads, user: Viewer, playlist_id: uuid.UUID, *, tools: PlaylistTools
) -> PlaylistPage:
    """The playlist with the tracks and collaborators the caller is shown, encoded in one pass
    (``presenters.playlist_page_json``: the same JSON as ``full_response``). Rows only: the
    read lane reads it on a bare connection."""
    head = await readable_page_head(reads, playlist_id, user)
    entries = await entry_queries.shown_entries_raw_ids(reads, head.id, user)
    collaborators = await collaborator_queries.playlist_collaborators(reads, head.id, user)
    response = playlist_response(
        cast(Playlist, head),
        track_count=len(entries),
        collaborators=[collaborator_response(row) for row in collaborators],
    )
    content = playlist_page_json(response, head.id, entries, tools.public_url, user)
    return PlaylistPage(content, head.version)


# Writing -------------------------------------------------------------------------------------


async def create_playlist(
    session: AsyncSession,
    user: User,
    body: schemas.CreatePlaylistRequest,
    *,
    tools: PlaylistTools,
) -> schemas.PlaylistData:
    now = utcnow()
    playlist = Playlist(
        id=uuid.uuid4(),
        user_id=user.id,
        title=body.title,
        description=body.description,
        is_public=bool(body.is_public),
        is_default_favorites=False,
        is_editorial=False,
        follower_count=0,
        entry_count=0,
        version=1,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, playlist)
    await session.flush()
    await changed(session, tools, user, playlist.id, CREATED, {"title": playlist.title})
    return schemas.PlaylistData(playlist=playlist_response(playlist, track_count=0, tracks=[]))


async def update_playlist(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    body: schemas.UpdatePlaylistRequest,
    *,
    tools: PlaylistTools,
    if_match: str | None = None,
) -> schemas.PlaylistData:
    """Owner, administrators and admin collaborators. Only the fields sent change; a null
    description clears it."""
    access = await metadata_editor(session, playlist_id, user)
    playlist = access.playlist
    if body.is_public and playlist.is_default_favorites:
        raise FavoritesNotShared()
    changes = _changes(playlist, body)
    expected = expected_version(if_match)
    if not changes and expected is not None and expected != playlist.version:
        raise StaleSnapshot()
    if changes:
        await locked(session, playlist.id, expected)
        for name, value in changes.items():
            setattr(playlist, name, value)
        await session.flush()
        await changed(session, tools, user, playlist.id, UPDATED, {"fields": sorted(changes)})
    fresh = await repository.get_playlist(session, playlist.id)
    assert fresh is not None
    return schemas.PlaylistData(
        playlist=await full_response(session, fresh, user, tools.public_url)
    )


def _changes(playlist: Playlist, body: schemas.UpdatePlaylistRequest) -> dict[str, object]:
    sent = body.model_fields_set
    changes: dict[str, object] = {}
    if "title" in sent and body.title is not None and body.title != playlist.title:
        changes["title"] = body.title
    if "description" in sent and body.description != playlist.description:
        changes["description"] = body.description
    if "is_public" in sent and body.is_public is not None and body.is_public != playlist.is_public:
        changes["is_public"] = body.is_public
    return changes


async def delete_playlist(
    session: AsyncSession, user: User, playlist_id: uuid.UUID, *, tools: PlaylistTools
) -> schemas.Message:
    """Owner and administrators; the favourites playlist stays."""
    access = await managed_playlist(session, playlist_id, user)
    if access.playlist.is_default_favorites:
        raise FavoritesStayPrivate()
    await changed(session, tools, user, access.playlist.id, DELETED)
    await repository.delete_playlist(session, access.playlist.id)
    return schemas.Message(message="Playlist deleted")


# The favourites playlist ---------------------------------------------------------------------


async def favorites(
    session: AsyncSession, user: User, *, tools: PlaylistTools
) -> schemas.PlaylistData:
    """The caller's favourites playlist, created on the first call. GET runs in a read
    transaction, so the creation is a write transaction of its own; the partial unique index
    makes concurrent first calls write exactly one row."""
    playlist = await repository.favorites_of(session, user.id)
    if playlist is None:
        await session.commit()  # end the read snapshot, so the row written next is seen
        async with write_transaction(tools.database) as writer:
            await repository.create_favorites(writer, user.id, FAVORITES_TITLE, utcnow())
        playlist = await repository.favorites_of(session, user.id)
        assert playlist is not None
    return schemas.PlaylistData(
        playlist=await full_response(session, playlist, user, tools.public_url)
    )


# Discovery and figures -----------------------------------------------------------------------


async def recommendations(
    session: AsyncSession, user: User, limit: int | None
) -> schemas.PlaylistRecommendations:
    """Declarative and chronological: public playlists of people the caller follows, newest
    first, then public playlists holding public tracks of the caller's declared genres."""
    size = checked_limit(None if limit is None else max(limit, 1))
    chosen = await repository.newest_public(
        session, user, repository.by_followed_owners(user.id), limit=size
    )
    if len(chosen) < size and user.genres:
        chosen += await repository.newest_public(
            session,
            user,
            repository.holding_genres(user.genres),
            limit=size - len(chosen),
            exclude=[p.id for p in chosen],
        )
    return schemas.PlaylistRecommendations(playlists=await listed_responses(session, chosen, user))


async def analytics(
    session: AsyncSession, user: User, playlist_id: uuid.UUID
) -> schemas.PlaylistAnalytics:
    access: PlaylistAccess = await analytics_viewer(session, playlist_id, user)
    playlist = access.playlist
    figures = await entry_queries.track_figures(session, playlist.id, user)
    links, opens = await repository.share_figures(session, playlist.id)
    return schemas.PlaylistAnalytics(
        stats=schemas.PlaylistStats(
            track_count=figures.count,
            total_duration=figures.duration,
            play_count=figures.plays,
            follower_count=playlist.follower_count,
            collaborator_count=await collaborator_queries.collaborator_count(session, playlist.id),
            share_link_count=links,
            share_link_opens=opens,
        )
    )
