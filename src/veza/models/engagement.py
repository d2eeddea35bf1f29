"""What listeners do with tracks: likes, reposts, plays, and share links."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, UUIDPrimaryKey, utcnow

# TrackShare.permissions values (the contract's CreateShareRequest enum).
SHARE_PERMISSIONS = ("read", "write", "admin")


class TrackLike(Base):
    """``user_id`` likes ``track_id``: one row per pair (the primary key makes likes idempotent)."""

    __tablename__ = "track_likes"
    __table_args__ = (
        Index("ix_track_likes_track_id_created_at", "track_id", "created_at"),
        Index("ix_track_likes_user_id_created_at", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackRepost(Base):
    """``user_id`` reposted ``track_id`` to their profile: one row per pair."""

    __tablename__ = "track_reposts"
    __table_args__ = (
        Index("ix_track_reposts_track_id_created_at", "track_id", "created_at"),
        Index("ix_track_reposts_user_id_created_at", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackPlay(UUIDPrimaryKey, Base):
    """One counted play (repeats inside the dedup window are not stored, see PlayMark)."""

    __tablename__ = "track_plays"
    __table_args__ = (
        Index("ix_track_plays_track_id_played_at", "track_id", "played_at"),
        Index("ix_track_plays_user_id", "user_id"),
    )

    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    play_time: Mapped[int | None] = mapped_column(Integer)  # seconds listened, when reported
    played_at: Mapped[datetime] = mapped_column(default=utcnow)


# Repeats by the same listener (user or client address) within this window count once; a mark
# older than the window is as good as none, so the periodic sweep removes it.
PLAY_DEDUP_WINDOW = timedelta(seconds=30)


class PlayMark(Base):
    """When a listener (a user, or a client address) last had a play of a track counted.

    Claimed with one conditional upsert, so concurrent repeats of the same listener count once.
    ``listener`` is ``u:<user id>`` or ``ip:<sha256 of the address>`` (addresses are not kept).
    """

    __tablename__ = "track_play_marks"

    track_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    listener: Mapped[str] = mapped_column(String(80), primary_key=True)
    # Indexed for the periodic sweep of marks older than the deduplication window.
    last_counted_at: Mapped[datetime] = mapped_column(index=True)
    play_id: Mapped[uuid.UUID | None] = mapped_column()


class TrackShare(UUIDPrimaryKey, Base):
    """A share link of a track: the token is given once, only its SHA-256 is stored."""

    __tablename__ = "track_shares"
    __table_args__ = (Index("ix_track_shares_track_id", "track_id"),)

    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    permissions: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
