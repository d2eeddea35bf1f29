"""Request and response models of the tracks domain."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from veza.kit.schemas import RequestModel


class CreateShareRequest(RequestModel):
    expires_at: str | None = None
    permissions: Literal["read", "write", "admin"]


class RecordPlayRequest(RequestModel):
    play_time: int | None = Field(None, ge=0)


class UpdateLyricsRequest(RequestModel):
    content: str | None = None


class UpdateTrackRequest(RequestModel):
    album: str | None = Field(None, max_length=255)
    artist: str | None = Field(None, max_length=255)
    bpm: int | None = Field(None, ge=0, le=300)
    genre: str | None = Field(None, max_length=100, description="legacy, single")
    genres: list[str] | None = Field(None, description="v0.10.1: max 3, taxonomy slugs")
    is_public: bool | None = None
    musical_key: str | None = Field(None, max_length=10)
    tags: list[str] | None = Field(None, description="v0.10.1: max 10, 30 chars each")
    title: str | None = Field(None, min_length=1, max_length=255)
    year: int | None = Field(None, ge=1900, le=2100)


class InitiateChunkedUploadRequest(RequestModel):
    filename: str
    total_chunks: int = Field(..., ge=1)
    total_size: int = Field(..., ge=1)


class CompleteChunkedUploadRequest(RequestModel):
    upload_id: str


class BatchUpdateRequest(RequestModel):
    track_ids: list[str] = Field(..., min_length=1)
    updates: dict[str, Any]


class BatchDeleteRequest(RequestModel):
    track_ids: list[str] = Field(..., min_length=1)


class StreamCallbackRequest(RequestModel):
    error: str | None = None
    manifest_url: str | None = None
    status: Literal["completed", "failed", "processing"]
