"""Response models of the dashboard (the contract's DashboardResponse and its parts)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel

from veza.kit.schemas import UTCTimestamp


class DashboardStats(BaseModel):
    period: str
    tracks_played: int
    tracks_played_change: str
    favorites: int
    favorites_change: str
    active_friends: int
    active_friends_change: str
    messages_sent: int
    messages_sent_change: str


class RecentActivity(BaseModel):
    id: str
    type: str
    title: str
    description: str
    icon: str
    timestamp: UTCTimestamp
    metadata: dict[str, Any]


class TrackPreview(BaseModel):
    id: uuid.UUID
    title: str
    artist: str | None = None
    duration: int | None = None
    cover_art_path: str | None = None
    created_at: UTCTimestamp
    play_count: int
    like_count: int


class LibraryPreview(BaseModel):
    items: list[TrackPreview]
    has_more: bool
    total_count: int


class DashboardResponse(BaseModel):
    stats: DashboardStats
    recent_activity: list[RecentActivity]
    library_preview: LibraryPreview
