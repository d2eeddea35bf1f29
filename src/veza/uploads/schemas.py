"""Request and response models of uploads: chunked sessions, quota, new versions."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from veza.kit.schemas import RequestModel, UTCTimestamp
from veza.tracks.schemas import TrackMetadataFields, TrackResponse, VersionResponse


class InitiateChunkedUploadRequest(TrackMetadataFields):
    filename: str = Field(..., min_length=1, max_length=255)
    total_chunks: int = Field(..., ge=1)
    total_size: int = Field(..., ge=1)


class CompleteChunkedUploadRequest(RequestModel):
    upload_id: str


class NewVersionRequest(RequestModel):
    upload_id: str = Field(..., description="A chunked upload session holding every chunk")


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
    used: int = Field(
        description="Bytes stored: every version of every track, and their derived files"
    )
    derived: int = Field(
        description="Bytes of the derived files (waveforms, HLS, covers), included in used"
    )
    limit: int | None = Field(None, description="Bytes allowed; absent when unlimited")
    remaining: int | None = Field(None, description="Bytes left; absent when unlimited")
    reserved: int = Field(description="Bytes announced by unfinished chunked uploads")
    track_count: int
    unlimited: bool


class QuotaResponse(BaseModel):
    quota: Quota


class NewVersionResponse(BaseModel):
    message: str
    version: VersionResponse
    track: TrackResponse
