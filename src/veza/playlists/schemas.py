"""Request and response models of the playlists domain."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from veza.kit.schemas import RequestModel


class ReorderTracksRequest(RequestModel):
    track_ids: list[str] = Field(..., min_length=1, description="Changed to []uuid.UUID")


class PostPlaylistsIdTracksBody(RequestModel):
    track_id: str | None = None


class UpdateCollaboratorPermissionRequest(RequestModel):
    permission: Literal["read", "write", "admin"]


class AddCollaboratorRequest(RequestModel):
    permission: Literal["read", "write", "admin"]
    user_id: str


class UpdatePlaylistRequest(RequestModel):
    description: str | None = Field(None, max_length=1000)
    is_public: bool | None = None
    title: str | None = Field(None, min_length=1, max_length=200)


class ImportPlaylistRequest(RequestModel):
    playlist: ImportPlaylistRequestPlaylist | None = None
    tracks: list[ImportPlaylistRequestTracksItem] | None = None


class ImportPlaylistRequestTracksItem(RequestModel):
    id: str | None = None


class ImportPlaylistRequestPlaylist(RequestModel):
    description: str | None = None
    is_public: bool | None = None
    title: str | None = None


class CreatePlaylistRequest(RequestModel):
    description: str | None = Field(None, max_length=1000)
    is_public: bool | None = None
    title: str = Field(..., min_length=1, max_length=200)
