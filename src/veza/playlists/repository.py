"""Queries of the playlists domain. Who may read a playlist is decided here, once:

``readable_by(viewer)``: a public playlist of a readable account (not deleted, banned or
deactivated) is readable by everyone, except across a block (either way); a private one by its
owner, its collaborators (any permission) and administrators. A block between the owner and a
collaborator (either way) hides the playlist from that collaborator too. Administrators read
everything.
The playlists API, the share links' owner check, search and the dashboard use it.

Inside a playlist, the entries a viewer is shown are those whose track the catalog lists for
them (``tracks.repository.listed_for``; the queries are in entry_queries.py). The
collaborators' queries are in collaborator_queries.py.

Every edit of a playlist's entries starts with ``bump``: one UPDATE of the playlist row (its
entry count and version), which takes the row's write lock on PostgreSQL (SQLite has a single
writer), so concurrent edits of one playlist run one after the other and each sees the
entries the previous one committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    Uuid,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from veza.kit.db import Reads
from veza.kit.queries import insert_ignoring_duplicates, page
from veza.models import Follow, PlaylistCollaborator, User, Viewer
from veza.models.playlist import Playlist, PlaylistShare, PlaylistTrack
from veza.models.track import Track
from veza.tracks.bound import VIEWER_ID
from veza.tracks.repository import genre_condition, listed_for
from veza.users.repository import author_is_readable, not_hidden_from


def _collaborates(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return exists(
        select(PlaylistCollaborator.id).where(
            PlaylistCollaborator.playlist_id == Playlist.id,
            PlaylistCollaborator.user_id == viewer_id,
        )
    )


def collaborates(viewer: User) -> ColumnElement[bool]:
    """``viewer`` is a collaborator of the playlist (any permission)."""
    return _collaborates(viewer.id)


_PUBLIC = and_(Playlist.is_public.is_(True), author_is_readable(Playlist.user_id))


def _readable_by_member(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(
        Playlist.user_id == viewer_id,
        and_(
            or_(_collaborates(viewer_id), _PUBLIC),
            not_hidden_from(Playlist.user_id, viewer_id),
        ),
    )


def readable_by(viewer: User | None) -> ColumnElement[bool]:
    """The playlists ``viewer`` may read (see the module docstring)."""
    if viewer is None:
        return _PUBLIC
    if viewer.is_administrator:
        return Playlist.id.is_not(None)
    return _readable_by_member(viewer.id)


# Playlists -----------------------------------------------------------------------------------


async def get_readable(
    session: AsyncSession, playlist_id: uuid.UUID, viewer: User | None
) -> Playlist | None:
    playlist: Playlist | None = await session.scalar(
        select(Playlist).where(Playlist.id == playlist_id, readable_by(viewer))
    )
    return playlist


# A playlist's id bound at execution, for the statements built once (here, in entry_queries.py
# and collaborator_queries.py).
PLAYLIST_ID: BindParameter[uuid.UUID] = bindparam("playlist_id", type_=Uuid())

# A signed-in caller's read of one playlist with their collaborator permission, in one
# statement built once per kind of caller (the ids bound at execution: tracks/bound.py).
_PERMISSION_OF_BOUND_VIEWER = (
    select(PlaylistCollaborator.permission)
    .where(
        PlaylistCollaborator.playlist_id == Playlist.id,
        PlaylistCollaborator.user_id == VIEWER_ID,
    )
    .scalar_subquery()
)
_READABLE_BY_BOUND_MEMBER = select(Playlist, _PERMISSION_OF_BOUND_VIEWER).where(
    Playlist.id == PLAYLIST_ID, _readable_by_member(VIEWER_ID)
)
_READABLE_BY_BOUND_ADMINISTRATOR = select(Playlist, _PERMISSION_OF_BOUND_VIEWER).where(
    Playlist.id == PLAYLIST_ID
)


async def get_readable_with_permission(
    session: AsyncSession, playlist_id: uuid.UUID, viewer: Viewer
) -> tuple[Playlist, str | None] | None:
    """``get_readable`` for a signed-in viewer, with their collaborator permission if any."""
    statement = (
        _READABLE_BY_BOUND_ADMINISTRATOR if viewer.is_administrator else _READABLE_BY_BOUND_MEMBER
    )
    result = await session.execute(statement, {"playlist_id": playlist_id, "viewer_id": viewer.id})
    row = result.first()
    return None if row is None else (row[0], row[1])


# What GET /playlists/{id} shows of the playlist itself, as a row that
# ``presenters.playlist_response`` reads as a Playlist: the read lane reads the page on a bare
# connection, where no ORM object is made.
_PAGE_HEAD = tuple(
    getattr(Playlist, name)
    for name in (
        "id",
        "user_id",
        "title",
        "description",
        "is_public",
        "is_default_favorites",
        "is_editorial",
        "follower_count",
        "version",
        "created_at",
        "updated_at",
    )
)
_PAGE_HEAD_FOR_BOUND_MEMBER = select(*_PAGE_HEAD).where(
    Playlist.id == PLAYLIST_ID, _readable_by_member(VIEWER_ID)
)
_PAGE_HEAD_FOR_ADMINISTRATOR = select(*_PAGE_HEAD).where(Playlist.id == PLAYLIST_ID)


async def readable_page_head(
    reads: Reads, playlist_id: uuid.UUID, viewer: Viewer
) -> Row[Any] | None:
    """The playlist's page columns if ``viewer`` may read it (``readable_by``'s rule)."""
    if viewer.is_administrator:
        result = await reads.execute(_PAGE_HEAD_FOR_ADMINISTRATOR, {"playlist_id": playlist_id})
    else:
        result = await reads.execute(
            _PAGE_HEAD_FOR_BOUND_MEMBER, {"playlist_id": playlist_id, "viewer_id": viewer.id}
        )
    return result.first()


async def get_playlist(session: AsyncSession, playlist_id: uuid.UUID) -> Playlist | None:
    """The row whatever its visibility (fresh from the database)."""
    playlist: Playlist | None = await session.scalar(
        select(Playlist).where(Playlist.id == playlist_id).execution_options(populate_existing=True)
    )
    return playlist


async def get_readable_of_owner(session: AsyncSession, playlist_id: uuid.UUID) -> Playlist | None:
    """The playlist if its owner is a readable account (what a share link may open)."""
    playlist: Playlist | None = await session.scalar(
        select(Playlist).where(Playlist.id == playlist_id, author_is_readable(Playlist.user_id))
    )
    return playlist


def add(session: AsyncSession, playlist: Playlist) -> None:
    session.add(playlist)


async def delete_playlist(session: AsyncSession, playlist_id: uuid.UUID) -> None:
    await session.execute(delete(Playlist).where(Playlist.id == playlist_id))


@dataclass(frozen=True)
class Bumped:
    entry_count: int
    version: int


async def bump(
    session: AsyncSession,
    playlist_id: uuid.UUID,
    now: datetime,
    *,
    entries: int = 0,
    expected_version: int | None = None,
    max_entries: int | None = None,
) -> Bumped | None:
    """Add ``entries`` to the entry count and one to the version, in one UPDATE that locks the
    row until the commit; None when ``expected_version`` is not the current one or the count
    would pass ``max_entries``."""
    conditions: list[ColumnElement[bool]] = [Playlist.id == playlist_id]
    if expected_version is not None:
        conditions.append(Playlist.version == expected_version)
    if max_entries is not None and entries > 0:
        conditions.append(Playlist.entry_count + entries <= max_entries)
    result = await session.execute(
        update(Playlist)
        .where(*conditions)
        .values(
            entry_count=Playlist.entry_count + entries,
            version=Playlist.version + 1,
            updated_at=now,
        )
        .returning(Playlist.entry_count, Playlist.version)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    return Bumped(int(row[0]), int(row[1])) if row is not None else None


async def count_removed(session: AsyncSession, playlist_id: uuid.UUID) -> None:
    """One entry fewer (the row is already locked by ``bump``)."""
    await session.execute(
        update(Playlist)
        .where(Playlist.id == playlist_id)
        .values(entry_count=Playlist.entry_count - 1)
        .execution_options(synchronize_session=False)
    )


async def favorites_of(session: AsyncSession, user_id: uuid.UUID) -> Playlist | None:
    playlist: Playlist | None = await session.scalar(
        select(Playlist)
        .where(Playlist.user_id == user_id, Playlist.is_default_favorites.is_(True))
        .execution_options(populate_existing=True)
    )
    return playlist


async def create_favorites(
    session: AsyncSession, user_id: uuid.UUID, title: str, now: datetime
) -> None:
    """Insert the user's favourites playlist unless one exists (the partial unique index makes
    concurrent first calls write one row)."""
    await session.execute(
        insert_ignoring_duplicates(
            session,
            Playlist,
            id=uuid.uuid4(),
            user_id=user_id,
            title=title,
            is_public=False,
            is_default_favorites=True,
            is_editorial=False,
            follower_count=0,
            entry_count=0,
            version=1,
            created_at=now,
            updated_at=now,
        )
    )


async def page_of(
    session: AsyncSession, condition: ColumnElement[bool], *, offset: int, limit: int
) -> tuple[list[Playlist], int]:
    statement = select(Playlist).where(condition)
    order = [Playlist.created_at.desc(), Playlist.id.desc()]
    return await page(session, statement, order, offset=offset, limit=limit)


def own_or_collaborative(viewer: User) -> ColumnElement[bool]:
    """The viewer's playlists and those they collaborate on (and may still read)."""
    return and_(or_(Playlist.user_id == viewer.id, collaborates(viewer)), readable_by(viewer))


def of_user_for(user_id: uuid.UUID, viewer: User) -> ColumnElement[bool]:
    return and_(Playlist.user_id == user_id, readable_by(viewer))


# Recommendations -----------------------------------------------------------------------------


def _recommendable(viewer: User) -> list[ColumnElement[bool]]:
    """Public playlists of readable accounts the viewer is not blocked from, never their own."""
    return [readable_by(None), not_hidden_from(Playlist.user_id, viewer.id)]


async def newest_public(
    session: AsyncSession,
    viewer: User,
    condition: ColumnElement[bool],
    *,
    limit: int,
    exclude: Iterable[uuid.UUID] = (),
) -> list[Playlist]:
    statement = select(Playlist).where(
        *_recommendable(viewer), Playlist.user_id != viewer.id, condition
    )
    excluded = list(exclude)
    if excluded:
        statement = statement.where(Playlist.id.not_in(excluded))
    rows = await session.scalars(
        statement.order_by(Playlist.created_at.desc(), Playlist.id.desc()).limit(limit)
    )
    return list(rows)


def by_followed_owners(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return Playlist.user_id.in_(select(Follow.followed_id).where(Follow.follower_id == viewer_id))


def holding_genres(genres: Sequence[str]) -> ColumnElement[bool]:
    """The playlist holds a public track of one of ``genres``."""
    public_tracks = select(Track.id).where(listed_for(None), genre_condition(genres))
    return exists(
        select(PlaylistTrack.id).where(
            PlaylistTrack.playlist_id == Playlist.id, PlaylistTrack.track_id.in_(public_tracks)
        )
    )


# Share links ---------------------------------------------------------------------------------


def add_share(session: AsyncSession, share: PlaylistShare) -> None:
    session.add(share)


async def share_by_token_hash(session: AsyncSession, token_hash: str) -> PlaylistShare | None:
    share: PlaylistShare | None = await session.scalar(
        select(PlaylistShare).where(PlaylistShare.token_hash == token_hash)
    )
    return share


async def get_share(
    session: AsyncSession, playlist_id: uuid.UUID, share_id: uuid.UUID
) -> PlaylistShare | None:
    share: PlaylistShare | None = await session.scalar(
        select(PlaylistShare).where(
            PlaylistShare.id == share_id, PlaylistShare.playlist_id == playlist_id
        )
    )
    return share


async def revoke_share(session: AsyncSession, share_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(PlaylistShare)
        .where(PlaylistShare.id == share_id, PlaylistShare.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def count_open(session: AsyncSession, share_id: uuid.UUID) -> None:
    """``open_count = open_count + 1``, by atomic SQL."""
    await session.execute(
        update(PlaylistShare)
        .where(PlaylistShare.id == share_id)
        .values(open_count=PlaylistShare.open_count + 1)
        .execution_options(synchronize_session=False)
    )


async def share_figures(session: AsyncSession, playlist_id: uuid.UUID) -> tuple[int, int]:
    """(links issued, times they were opened) of the playlist."""
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(PlaylistShare.open_count), 0)).where(
                PlaylistShare.playlist_id == playlist_id
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)
