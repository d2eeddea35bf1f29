"""Queries of the playlists domain. Who may read a playlist is decided here, once:

``readable_by(viewer)``: a public playlist of a readable account (not deleted, banned or
deactivated) is readable by everyone, except across a block (either way); a private one by its
owner, its collaborators (any permission) and administrators. Administrators read everything.
The playlists API, the share links' owner check, search and the dashboard use it.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from veza.models import PlaylistCollaborator, User
from veza.models.playlist import Playlist
from veza.users.repository import author_is_readable, not_hidden_from


def collaborates(viewer: User) -> ColumnElement[bool]:
    """``viewer`` is a collaborator of the playlist (any permission)."""
    return exists(
        select(PlaylistCollaborator.id).where(
            PlaylistCollaborator.playlist_id == Playlist.id,
            PlaylistCollaborator.user_id == viewer.id,
        )
    )


def readable_by(viewer: User | None) -> ColumnElement[bool]:
    """The playlists ``viewer`` may read (see the module docstring)."""
    public = and_(Playlist.is_public.is_(True), author_is_readable(Playlist.user_id))
    if viewer is None:
        return public
    if viewer.is_administrator:
        return Playlist.id.is_not(None)
    return or_(
        Playlist.user_id == viewer.id,
        collaborates(viewer),
        and_(public, not_hidden_from(Playlist.user_id, viewer.id)),
    )
