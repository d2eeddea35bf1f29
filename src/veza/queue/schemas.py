"""Request and response models of the queue domain."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

from veza.kit.schemas import RequestModel, ResponseModel, UTCTimestamp
from veza.tracks.schemas import TrackResponse

# Playback offsets are milliseconds; the largest one a 32-bit column holds (24 days).
MAX_POSITION_MS = 2**31 - 1
RepeatMode = Literal["off", "one", "all"]

QueueItemId = Annotated[uuid.UUID, Path(alias="id", description="Queue item ID (UUID)")]
SessionToken = Annotated[str, Path(description="Session share token")]


# Requests ------------------------------------------------------------------------------------


class AddQueueItemRequest(RequestModel):
    track_id: uuid.UUID


class AddToSessionRequest(RequestModel):
    track_id: uuid.UUID


class UpdateQueueRequest(RequestModel):
    """PUT /queue. A field left out is unchanged; ``current_track_id: null`` clears it."""

    current_position: int | None = Field(None, ge=0, le=MAX_POSITION_MS, description="ms")
    current_track_id: uuid.UUID | None = None
    is_playing: bool | None = None
    item_order: list[uuid.UUID] | None = Field(
        None, description="Every item id the queue shows, in the new order"
    )
    repeat_mode: RepeatMode | None = None
    shuffle: bool | None = None
    volume: int | None = Field(None, ge=0, le=100)


class UpdateSessionStateRequest(RequestModel):
    """PUT /queue/session/{token}: the host's playback state, which every listener follows."""

    current_track_id: uuid.UUID | None = None
    current_position: int | None = Field(None, ge=0, le=MAX_POSITION_MS, description="ms")
    is_playing: bool | None = None


# Responses -----------------------------------------------------------------------------------


class QueueView(ResponseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    current_track_id: uuid.UUID | None = None
    current_position: int
    is_playing: bool
    repeat_mode: RepeatMode
    shuffle: bool
    volume: int
    item_count: int
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class QueueItemView(BaseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    position: int
    added_at: UTCTimestamp
    track: TrackResponse


class QueueData(BaseModel):
    queue: QueueView
    items: list[QueueItemView]


class QueueItemData(BaseModel):
    item: QueueItemView


class Message(BaseModel):
    message: str


class SessionHost(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    avatar: str | None = None


class SessionView(BaseModel):
    id: uuid.UUID
    host_id: uuid.UUID
    host: SessionHost
    current_track_id: uuid.UUID | None = None
    current_position: int
    is_playing: bool
    state_changed_at: UTCTimestamp
    item_count: int
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class SessionItemView(BaseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    position: int
    added_by: uuid.UUID | None = None
    added_at: UTCTimestamp
    track: TrackResponse


class SessionData(BaseModel):
    session: SessionView
    items: list[SessionItemView]


class CreatedSession(BaseModel):
    session: SessionView
    share_token: str
    share_url: str
