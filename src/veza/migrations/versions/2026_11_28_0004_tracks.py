"""tracks: tracks, uploads, processing jobs, versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracks",
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("artist", sa.String(length=255), nullable=True),
        sa.Column("album", sa.String(length=255), nullable=True),
        sa.Column("genre", sa.String(length=100), nullable=True),
        sa.Column("genres", sa.JSON(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("bpm", sa.Integer(), nullable=True),
        sa.Column("musical_key", sa.String(length=10), nullable=True),
        sa.Column("is_public", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=True),
        sa.Column("file_path", sa.String(length=1024), nullable=True),
        sa.Column("file_size", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("original_filename", sa.String(length=255), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=True),
        sa.Column("codec", sa.String(length=20), nullable=True),
        sa.Column("mime_type", sa.String(length=50), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("bitrate", sa.Integer(), nullable=True),
        sa.Column("sample_rate", sa.Integer(), nullable=True),
        sa.Column("channels", sa.Integer(), nullable=True),
        sa.Column("version_number", sa.Integer(), server_default="1", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("processing_stage", sa.String(length=30), nullable=True),
        sa.Column("processing_progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("processing_generation", sa.Integer(), server_default="1", nullable=False),
        sa.Column("processing_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("processing_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cover_art_path", sa.String(length=1024), nullable=True),
        sa.Column("waveform_path", sa.String(length=1024), nullable=True),
        sa.Column("hls_path", sa.String(length=1024), nullable=True),
        sa.Column("stream_status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("stream_manifest_url", sa.String(length=2048), nullable=True),
        sa.Column("play_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("like_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_tracks_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracks")),
    )
    op.create_index(
        "ix_tracks_creator_id_created_at", "tracks", ["creator_id", "created_at"], unique=False
    )
    op.create_index("ix_tracks_status", "tracks", ["status"], unique=False)
    op.create_table(
        "track_history",
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_track_history_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_track_history_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_history")),
    )
    op.create_index(
        "ix_track_history_track_id_created_at",
        "track_history",
        ["track_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "track_versions",
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.String(length=1024), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=True),
        sa.Column("codec", sa.String(length=20), nullable=True),
        sa.Column("mime_type", sa.String(length=50), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("bitrate", sa.Integer(), nullable=True),
        sa.Column("sample_rate", sa.Integer(), nullable=True),
        sa.Column("channels", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_track_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_track_versions_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_versions")),
        sa.UniqueConstraint("track_id", "version_number", name=op.f("uq_track_versions_track_id")),
    )
    op.create_index(
        op.f("ix_track_versions_track_id"), "track_versions", ["track_id"], unique=False
    )
    op.create_table(
        "upload_sessions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("total_size", sa.BigInteger(), nullable=False),
        sa.Column("total_chunks", sa.Integer(), nullable=False),
        sa.Column("track_metadata", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=True),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_upload_sessions_track_id_tracks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_upload_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_sessions")),
    )
    op.create_index(
        "ix_upload_sessions_status_expires_at",
        "upload_sessions",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_upload_sessions_user_id"), "upload_sessions", ["user_id"], unique=False
    )
    op.create_table(
        "upload_chunks",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("chunk_number", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["upload_sessions.id"],
            name=op.f("fk_upload_chunks_session_id_upload_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "chunk_number", name=op.f("pk_upload_chunks")),
    )

    op.create_table(
        "storage_deletions",
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("is_prefix", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_deletions")),
    )


def downgrade() -> None:
    op.drop_table("storage_deletions")
    op.drop_table("upload_chunks")
    op.drop_index(op.f("ix_upload_sessions_user_id"), table_name="upload_sessions")
    op.drop_index("ix_upload_sessions_status_expires_at", table_name="upload_sessions")
    op.drop_table("upload_sessions")
    op.drop_index(op.f("ix_track_versions_track_id"), table_name="track_versions")
    op.drop_table("track_versions")
    op.drop_index("ix_track_history_track_id_created_at", table_name="track_history")
    op.drop_table("track_history")
    op.drop_index("ix_tracks_status", table_name="tracks")
    op.drop_index("ix_tracks_creator_id_created_at", table_name="tracks")
    op.drop_table("tracks")
