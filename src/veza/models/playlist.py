"""Playlists: the list, its ordered entries, its collaborators and its share links."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, PartialIndex, Timestamps, UUIDPrimaryKey, utcnow

# PlaylistCollaborator.permission values (the contract's models.PlaylistPermission).
PERMISSION_READ = "read"
PERMISSION_WRITE = "write"
PERMISSION_ADMIN = "admin"


class Playlist(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "playlists"
    __table_args__ = (
        Index("ix_playlists_user_id_created_at", "user_id", "created_at"),
        Index("ix_playlists_is_public_created_at", "is_public", "created_at"),
        # One favourites playlist per user, enforced by the database (concurrent first calls).
        PartialIndex(
            "uq_playlists_one_favorites_per_user",
            "user_id",
            unique=True,
            where="is_default_favorites",
        ),
        CheckConstraint("entry_count >= 0", name="entry_count_not_negative"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cover_path: Mapped[str | None] = mapped_column(String(512))  # storage key of the cover
    is_default_favorites: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    is_editorial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    follower_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Every entry, readable or not: the next position, kept dense (0..n-1) by every edit.
    entry_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped by every change to the entries or metadata; the playlist's snapshot id / ETag.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class PlaylistTrack(UUIDPrimaryKey, Base):
    """One entry of a playlist; a track appears at most once in a playlist."""

    __tablename__ = "playlist_tracks"
    __table_args__ = (
        UniqueConstraint("playlist_id", "track_id", name="uq_playlist_tracks_playlist_track"),
        Index("ix_playlist_tracks_playlist_id_position", "playlist_id", "position"),
        Index("ix_playlist_tracks_track_id", "track_id"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    playlist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlaylistCollaborator(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "playlist_collaborators"
    __table_args__ = (
        UniqueConstraint("playlist_id", "user_id", name="uq_playlist_collaborators_playlist_user"),
        Index("ix_playlist_collaborators_user_id", "user_id"),
        CheckConstraint("permission IN ('read', 'write', 'admin')", name="permission_known"),
    )

    playlist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    permission: Mapped[str] = mapped_column(String(10))


class PlaylistShare(UUIDPrimaryKey, Base):
    """A read-only share link; only the token's hash is stored."""

    __tablename__ = "playlist_shares"
    __table_args__ = (Index("ix_playlist_shares_playlist_id", "playlist_id"),)

    playlist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    open_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
