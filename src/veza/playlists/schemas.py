"""Request and response models of the playlists domain (the contract's Playlist,
PlaylistTrack and PlaylistCollaborator are the response shapes)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from veza.kit.pagination import Pagination
from veza.kit.schemas import RequestModel, UTCTimestamp
from veza.tracks.schemas import TrackResponse

# The {id} of every /playlists/{id}/... route (the handler's parameter is ``playlist_id``).
PlaylistId = Annotated[uuid.UUID, Path(alias="id", description="Playlist UUID")]
# The {userId} of the collaborator routes.
CollaboratorId = Annotated[uuid.UUID, Path(alias="userId", description="Collaborator user UUID")]

Permission = Literal["read", "write", "admin"]

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 1000
MAX_IMPORT_ITEMS = 10_000


def _title_not_blank(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


# Requests ------------------------------------------------------------------------------------


class ReorderTracksRequest(RequestModel):
    track_ids: list[uuid.UUID] = Field(
        ...,
        min_length=1,
        max_length=MAX_IMPORT_ITEMS,
        description="Every track id of the playlist (as the caller sees it), in the new order",
    )


class PostPlaylistsIdTracksBody(RequestModel):
    track_id: uuid.UUID | None = None


class UpdateCollaboratorPermissionRequest(RequestModel):
    permission: Permission


class AddCollaboratorRequest(RequestModel):
    permission: Permission
    user_id: uuid.UUID


class UpdatePlaylistRequest(RequestModel):
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    is_public: bool | None = None
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE_LENGTH)

    _title = field_validator("title")(_title_not_blank)


class CreatePlaylistRequest(RequestModel):
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    is_public: bool | None = None
    title: str = Field(..., min_length=1, max_length=MAX_TITLE_LENGTH)

    _title = field_validator("title")(_title_not_blank)


class CreateShareRequest(RequestModel):
    """Optional: the contract's operation takes no body; a link without expiry never expires."""

    expires_at: AwareDatetime | None = Field(
        None, description="RFC 3339 time with a zone after which the link stops working"
    )


class ImportPlaylistRequestTracksItem(RequestModel):
    id: str | None = Field(None, max_length=200)


class JspfTrack(RequestModel):
    """One item of a JSPF playlist (https://www.xspf.org/jspf): matched by the track id in
    ``identifier`` or ``location``, else by ``title`` and ``creator`` (the artist)."""

    title: str | None = Field(None, max_length=500)
    creator: str | None = Field(None, max_length=500)
    album: str | None = Field(None, max_length=500)
    identifier: str | list[str] | None = None
    location: str | list[str] | None = None
    duration: int | None = None

    @field_validator("identifier", "location")
    @classmethod
    def _short_lists(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 20:
            raise ValueError("at most 20 values")
        return value


class ImportPlaylistRequestPlaylist(RequestModel):
    """The contract's playlist (title, description, is_public), or a JSPF ``playlist`` object
    (title, annotation, track)."""

    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    is_public: bool | None = None
    title: str | None = Field(None, max_length=MAX_TITLE_LENGTH)
    annotation: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    track: list[JspfTrack] | None = Field(None, max_length=MAX_IMPORT_ITEMS)


class ImportPlaylistRequest(RequestModel):
    playlist: ImportPlaylistRequestPlaylist | None = None
    tracks: list[ImportPlaylistRequestTracksItem] | None = Field(None, max_length=MAX_IMPORT_ITEMS)


# Responses -----------------------------------------------------------------------------------


class CollaboratorUser(BaseModel):
    """The collaborator's public card (the contract's User, public fields only)."""

    id: uuid.UUID
    username: str
    slug: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    avatar: str | None = None
    role: str
    is_verified: bool
    is_public: bool
    created_at: UTCTimestamp


class CollaboratorResponse(BaseModel):
    id: uuid.UUID
    playlist_id: uuid.UUID
    user_id: uuid.UUID
    permission: Permission
    user: CollaboratorUser | None = None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class PlaylistTrackResponse(BaseModel):
    id: uuid.UUID
    playlist_id: uuid.UUID
    track_id: uuid.UUID
    position: int
    added_by: uuid.UUID | None = None
    added_at: UTCTimestamp
    track: TrackResponse


class PlaylistResponse(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str | None = None
    is_public: bool
    cover_url: str | None = None
    is_default_favorites: bool
    is_editorial: bool
    follower_count: int
    track_count: int = Field(description="Tracks of the playlist the caller may see")
    snapshot_id: str = Field(
        description="The playlist's version; send it as If-Match with track edits"
    )
    tracks: list[PlaylistTrackResponse] | None = None
    collaborators: list[CollaboratorResponse] | None = None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class PlaylistData(BaseModel):
    playlist: PlaylistResponse


class PlaylistList(BaseModel):
    playlists: list[PlaylistResponse]
    pagination: Pagination


class PlaylistRecommendations(BaseModel):
    playlists: list[PlaylistResponse]


class Message(BaseModel):
    message: str


class EditResult(Message):
    snapshot_id: str = Field(description="The playlist's version after the change")


class CollaboratorData(BaseModel):
    collaborator: CollaboratorResponse


class CollaboratorList(BaseModel):
    collaborators: list[CollaboratorResponse]


class ShareView(BaseModel):
    id: uuid.UUID
    playlist_id: uuid.UUID
    permission: Literal["read"] = "read"
    expires_at: UTCTimestamp | None = None
    created_at: UTCTimestamp
    token: str | None = Field(None, description="Given once, when the link is created")
    url: str | None = Field(None, description="The share page, given once")


class ShareData(BaseModel):
    share: ShareView


class SharedPlaylistData(BaseModel):
    playlist: PlaylistResponse


class SkippedItem(BaseModel):
    """An item of an import that was not added, and why."""

    index: int = Field(description="Its place in the imported list (0-based)")
    id: str | None = None
    title: str | None = None
    creator: str | None = None
    reason: Literal["invalid_id", "not_found", "duplicate", "playlist_full", "unmatched"]


class ImportResult(BaseModel):
    playlist: PlaylistResponse
    added: int
    skipped: list[SkippedItem]


class PlaylistStats(BaseModel):
    track_count: int
    total_duration: int = Field(description="Seconds, of the tracks the caller may see")
    play_count: int = Field(
        description="Plays of the tracks whose figures the caller may see (their own tracks; "
        "every track for administrators)"
    )
    follower_count: int
    collaborator_count: int
    share_link_count: int
    share_link_opens: int


class PlaylistAnalytics(BaseModel):
    stats: PlaylistStats
