"""Request and response models of the tracks domain."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from veza.kit.schemas import RequestModel, ResponseModel, UTCTimestamp


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


class TrackMetadataFields(RequestModel):
    """Metadata an uploader may give with the audio (form fields of POST /tracks, or the JSON of
    POST /tracks/initiate). Whatever is left out is filled from the file's tags."""

    title: str | None = Field(None, min_length=1, max_length=255)
    artist: str | None = Field(None, max_length=255)
    album: str | None = Field(None, max_length=255)
    genre: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=1900, le=2100)
    bpm: int | None = Field(None, ge=0, le=300)
    musical_key: str | None = Field(None, max_length=10)
    is_public: bool | None = None
    tags: list[str] | None = Field(None, max_length=10)

    @field_validator("tags")
    @classmethod
    def _short_tags(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [tag.strip() for tag in value if tag.strip()]
        if any(len(tag) > 30 for tag in cleaned):
            raise ValueError("tags are at most 30 characters each")
        return cleaned


class InitiateChunkedUploadRequest(TrackMetadataFields):
    filename: str = Field(..., min_length=1, max_length=255)
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


class NewVersionRequest(RequestModel):
    upload_id: str = Field(..., description="A chunked upload session holding every chunk")


# Responses -----------------------------------------------------------------------------------


class TrackResponse(ResponseModel):
    """The contract's models.Track (plus a few fields a player uses: channels, codec, md5)."""

    id: uuid.UUID
    creator_id: uuid.UUID
    title: str
    artist: str | None = None
    album: str | None = None
    genre: str | None = None
    tags: list[str] = Field(default_factory=list)
    year: int | None = None
    bpm: int | None = None
    musical_key: str | None = None
    is_public: bool
    duration: int | None = None
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    format: str | None = None
    codec: str | None = None
    file_id: uuid.UUID | None = None
    file_path: str | None = None
    file_size: int
    md5: str | None = None
    version_number: int
    status: Literal["uploading", "processing", "completed", "failed"]
    status_message: str | None = None
    cover_art_path: str | None = None
    waveform_path: str | None = None
    waveform_url: str | None = None
    stream_status: str
    stream_manifest_url: str | None = None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp

    @field_validator("tags", mode="before")
    @classmethod
    def _no_null_tags(cls, value: Any) -> Any:
        return value or []


class TrackEnvelopeData(BaseModel):
    track: TrackResponse


class InitiateUploadResponse(BaseModel):
    upload_id: str
    message: str
    total_chunks: int
    total_size: int
    chunk_size: int = Field(description="Expected size of every chunk but the last")
    max_chunk_size: int
    expires_at: UTCTimestamp


class ChunkUploadResponse(BaseModel):
    upload_id: str
    message: str
    chunk_number: int
    progress: float = Field(description="Percent of the chunks received")
    received_chunks: int = Field(description="How many chunks the server holds")
    received_chunk_numbers: list[int]


class ResumeUploadResponse(BaseModel):
    upload_id: str
    status: str
    filename: str
    total_chunks: int
    total_size: int
    chunks_received: int = Field(description="How many chunks the server holds (a count)")
    received_chunks: list[int] = Field(description="The chunk numbers the server holds")
    missing_chunks: list[int]
    received_bytes: int
    progress: float
    expires_at: UTCTimestamp
    track_id: uuid.UUID | None = None


class CompleteUploadResponse(BaseModel):
    md5: str
    message: str
    track: TrackResponse


class Quota(BaseModel):
    user_id: uuid.UUID
    used: int = Field(description="Bytes stored (every version of every track)")
    limit: int | None = Field(None, description="Bytes allowed; absent when unlimited")
    remaining: int | None = Field(None, description="Bytes left; absent when unlimited")
    reserved: int = Field(description="Bytes announced by unfinished chunked uploads")
    track_count: int
    unlimited: bool


class QuotaResponse(BaseModel):
    quota: Quota


class TrackStatusResponse(BaseModel):
    track_id: uuid.UUID
    status: str
    stage: str | None = None
    progress: int = Field(description="Percent, 0-100")
    status_message: str | None = None
    stream_status: str


class MessageResponse(BaseModel):
    message: str


class VersionResponse(ResponseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    version_number: int
    file_size: int
    md5: str
    original_filename: str | None = None
    format: str | None = None
    duration: int | None = None
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    created_by: uuid.UUID | None = None
    created_at: UTCTimestamp
    is_current: bool = False


class VersionListResponse(BaseModel):
    versions: list[VersionResponse]


class NewVersionResponse(BaseModel):
    message: str
    version: VersionResponse
    track: TrackResponse


class RestoreResponse(BaseModel):
    message: str
    track: TrackResponse


class HistoryEntry(ResponseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    user_id: uuid.UUID | None = None
    action: str
    changes: dict[str, Any] = Field(default_factory=dict)
    created_at: UTCTimestamp

    @field_validator("changes", mode="before")
    @classmethod
    def _no_null_changes(cls, value: Any) -> Any:
        return value or {}


class HistoryResponse(BaseModel):
    history: list[HistoryEntry]
    limit: int
    offset: int
    total: int
