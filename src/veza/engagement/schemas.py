"""Request and response models of likes, reposts, plays, statistics and the users' tabs."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from veza.kit.schemas import RequestModel
from veza.tracks.schemas import TrackResponse


class RecordPlayRequest(RequestModel):
    play_time: int | None = Field(None, ge=0, description="Seconds listened")


class LikeResult(BaseModel):
    message: str
    is_liked: bool


class LikeStatus(BaseModel):
    is_liked: bool
    count: int | None = Field(None, description="Only for the track's creator and administrators")


class RepostResult(BaseModel):
    message: str
    is_reposted: bool


class RepostStatus(BaseModel):
    is_reposted: bool


class PlayResult(BaseModel):
    id: str = Field(description="The play counted (the earlier one for a repeat)")
    message: str
    counted: bool = Field(description="False for a repeat inside the dedup window")


class TrackStats(BaseModel):
    """``visibility`` is ``full`` for the creator and administrators (every figure) and
    ``public`` for everyone else (comment and repost counts only)."""

    track_id: uuid.UUID
    visibility: Literal["full", "public"]
    comment_count: int
    repost_count: int
    play_count: int | None = None
    unique_listeners: int | None = None
    like_count: int | None = None
    download_count: int | None = None
    total_play_time: int | None = Field(None, description="Seconds, summed over plays")
    average_play_time: float | None = Field(
        None, description="Seconds, over the plays that reported a play_time"
    )


class StatsData(BaseModel):
    stats: TrackStats


class UserTrackList(BaseModel):
    tracks: list[TrackResponse]
    limit: int
    offset: int
    total: int
