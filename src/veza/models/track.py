"""Tracks: the track row, its audio file versions, its history, its lyrics, and resumable upload
sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow

# Track.status values (the contract's models.TrackStatus).
TRACK_UPLOADING = "uploading"
TRACK_PROCESSING = "processing"
TRACK_COMPLETED = "completed"
TRACK_FAILED = "failed"

# Track.stream_status values (the contract: pending, processing, ready, error).
STREAM_PENDING = "pending"
STREAM_PROCESSING = "processing"
STREAM_READY = "ready"
STREAM_ERROR = "error"

# UploadSession.status values.
UPLOAD_ACTIVE = "active"
UPLOAD_ASSEMBLING = "assembling"
UPLOAD_COMPLETED = "completed"


class AudioFileColumns:
    """What is known of one audio file, declared once for a track (its current file) and for
    each of its versions; ``copy_audio_fields`` copies them from one to the other."""

    md5: Mapped[str | None] = mapped_column(String(32))  # single uploads: set by processing
    original_filename: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str | None] = mapped_column(String(10))  # mp3, flac, wav, ogg, m4a, aac
    codec: Mapped[str | None] = mapped_column(String(20))  # mp3, flac, pcm_s16le, opus...
    mime_type: Mapped[str | None] = mapped_column(String(50))
    duration: Mapped[int | None] = mapped_column(Integer)  # seconds
    bitrate: Mapped[int | None] = mapped_column(Integer)  # kbps
    sample_rate: Mapped[int | None] = mapped_column(Integer)  # Hz
    channels: Mapped[int | None] = mapped_column(Integer)


AUDIO_FILE_FIELDS = (
    "file_path",
    "file_size",
    *(name for name in AudioFileColumns.__annotations__),
)


def copy_audio_fields(source: object, target: object) -> None:
    """Copy the file key, size and every AudioFileColumns field from ``source`` to ``target``."""
    for name in AUDIO_FILE_FIELDS:
        setattr(target, name, getattr(source, name))


class Track(UUIDPrimaryKey, Timestamps, AudioFileColumns, Base):
    __tablename__ = "tracks"
    __table_args__ = (
        Index("ix_tracks_creator_id_created_at", "creator_id", "created_at"),
        # The public catalog's page: completed tracks, newest first (keyset by created_at, id),
        # read in index order and stopped after one page.
        Index("ix_tracks_status_created_at_id", "status", "created_at", "id"),
        # Counts the public listing from the index alone (tracks/counts.py refreshes it).
        Index("ix_tracks_listing", "status", "is_public", "deleted_at", "creator_id"),
        # The catalog's default order (newest first, keyset by created_at then id).
        Index("ix_tracks_created_at_id", "created_at", "id"),
    )

    creator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    artist: Mapped[str | None] = mapped_column(String(255))
    album: Mapped[str | None] = mapped_column(String(255))
    genre: Mapped[str | None] = mapped_column(String(100))
    genres: Mapped[list[str] | None] = mapped_column(JSON)
    tags: Mapped[list[str] | None] = mapped_column(JSON)
    year: Mapped[int | None] = mapped_column(Integer)
    bpm: Mapped[int | None] = mapped_column(Integer)
    musical_key: Mapped[str | None] = mapped_column(String(10))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    # The current audio file: a copy of the current version's fields (AudioFileColumns), read on
    # every stream without a join.
    file_id: Mapped[uuid.UUID | None] = mapped_column()  # the current TrackVersion's id
    file_path: Mapped[str | None] = mapped_column(String(1024))  # storage key
    file_size: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    version_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # Processing state: the stage and percent reported by GET /tracks/{id}/status.
    status: Mapped[str] = mapped_column(String(20), default=TRACK_PROCESSING)
    status_message: Mapped[str | None] = mapped_column(Text)
    processing_stage: Mapped[str | None] = mapped_column(String(30))
    processing_progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped each time the audio changes, so a job for older audio knows it is stale.
    processing_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Jobs started for the current generation: a job cut by a restart runs again, a few times.
    processing_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    processing_started_at: Mapped[datetime | None] = mapped_column()
    processed_at: Mapped[datetime | None] = mapped_column()

    # Derived files (storage keys).
    cover_art_path: Mapped[str | None] = mapped_column(String(1024))
    waveform_path: Mapped[str | None] = mapped_column(String(1024))
    hls_path: Mapped[str | None] = mapped_column(String(1024))  # storage prefix of the renditions
    stream_status: Mapped[str] = mapped_column(
        String(20), default=STREAM_PENDING, server_default=STREAM_PENDING
    )
    stream_manifest_url: Mapped[str | None] = mapped_column(String(2048))
    # Bytes of the derived files (waveform, HLS, cover), counted in the creator's quota: set by
    # processing when it stores them; until then, an estimate made at upload.
    derived_bytes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    # Counters (changed by atomic SQL by the domains that own plays and likes).
    play_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    like_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    download_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    # Soft delete: the row stays (comments, likes, history keep their references), the track
    # vanishes from every read (tracks/repository.py: readable_condition).
    deleted_at: Mapped[datetime | None] = mapped_column()


class TrackVersion(UUIDPrimaryKey, AudioFileColumns, Base):
    """One audio file a track has had; the current one is Track.file_id."""

    __tablename__ = "track_versions"
    __table_args__ = (UniqueConstraint("track_id", "version_number"),)

    track_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), index=True
    )
    version_number: Mapped[int] = mapped_column(Integer)
    file_path: Mapped[str] = mapped_column(String(1024))
    file_size: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackHistory(UUIDPrimaryKey, Base):
    """One change to a track (metadata update, new version, restore...), newest last."""

    __tablename__ = "track_history"
    __table_args__ = (Index("ix_track_history_track_id_created_at", "track_id", "created_at"),)

    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UploadSession(UUIDPrimaryKey, Timestamps, Base):
    """A resumable chunked upload: persisted, so it survives a restart of the server."""

    __tablename__ = "upload_sessions"
    __table_args__ = (Index("ix_upload_sessions_status_expires_at", "status", "expires_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    total_size: Mapped[int] = mapped_column(BigInteger)
    total_chunks: Mapped[int] = mapped_column(Integer)
    # Metadata given at initiate (title, artist, is_public...), applied to the new track.
    track_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=UPLOAD_ACTIVE)
    track_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    md5: Mapped[str | None] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()


class UploadChunk(Base):
    """A chunk the server holds (one row per chunk number, so re-sending one is harmless)."""

    __tablename__ = "upload_chunks"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("upload_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    chunk_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackLyrics(Base):
    """A track's lyrics: the text as given, and its timed lines when it is LRC."""

    __tablename__ = "track_lyrics"

    track_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[str] = mapped_column(Text)
    is_synced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # [{"time": seconds, "text": "..."}] in order, when the content is LRC.
    lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
