"""Errors of the playlists domain: every code it answers with, in one place."""

from __future__ import annotations

from veza.kit.errors import BadRequest, Forbidden, NotFound, VezaError


class PlaylistNotFound(NotFound):
    code = "PLAYLIST_NOT_FOUND"
    message = "Playlist not found"


class NotPlaylistOwner(Forbidden):
    code = "NOT_PLAYLIST_OWNER"
    message = "Only the playlist's owner or an administrator can do this"


class CannotEditPlaylist(Forbidden):
    code = "PLAYLIST_EDIT_FORBIDDEN"
    message = "You may read this playlist but not change it"


class CannotEditTracks(Forbidden):
    code = "PLAYLIST_TRACKS_FORBIDDEN"
    message = "Changing the tracks needs the write or admin permission"


class CannotManageCollaborators(Forbidden):
    code = "PLAYLIST_COLLABORATORS_FORBIDDEN"
    message = "Only the owner, an admin collaborator or an administrator can do this"


class OnlyOwnerSetsPermissions(Forbidden):
    code = "NOT_PLAYLIST_OWNER"
    message = "Only the playlist's owner can grant or change permissions"


class AnalyticsForbidden(Forbidden):
    code = "PLAYLIST_ANALYTICS_FORBIDDEN"
    message = "Only the owner, collaborators and administrators see a playlist's figures"


class FavoritesStayPrivate(Forbidden):
    code = "FAVORITES_PLAYLIST"
    message = "The favourites playlist cannot be deleted"


class FavoritesNotShared(BadRequest):
    code = "FAVORITES_PLAYLIST"
    message = "The favourites playlist stays private: it cannot be made public or shared"


class TrackAlreadyInPlaylist(BadRequest):
    code = "TRACK_ALREADY_IN_PLAYLIST"
    message = "This track is already in the playlist"


class PlaylistFull(BadRequest):
    code = "PLAYLIST_FULL"
    message = "The playlist has reached its maximum number of tracks"


class TrackNotInPlaylist(NotFound):
    code = "TRACK_NOT_IN_PLAYLIST"
    message = "Track not found in this playlist"


class CollaboratorNotFound(NotFound):
    code = "COLLABORATOR_NOT_FOUND"
    message = "Collaborator not found"


class ShareNotFound(NotFound):
    code = "SHARE_NOT_FOUND"
    message = "Share link not found"


class StaleSnapshot(VezaError):
    status_code = 412
    code = "PRECONDITION_FAILED"
    message = "The playlist changed since this version: reload it and try again"
