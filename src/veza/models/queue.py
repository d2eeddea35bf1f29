"""The personal play queue (one per user) and shared listening sessions, each with its items."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow

# PlayQueue.repeat_mode values.
REPEAT_OFF = "off"
REPEAT_ONE = "one"
REPEAT_ALL = "all"
REPEAT_MODES = (REPEAT_OFF, REPEAT_ONE, REPEAT_ALL)


class PlayQueue(UUIDPrimaryKey, Timestamps, Base):
    """A user's queue and playback state, resumed on any of their devices."""

    __tablename__ = "play_queues"
    __table_args__ = (
        CheckConstraint("repeat_mode IN ('off', 'one', 'all')", name="repeat_mode_known"),
        CheckConstraint("volume >= 0 AND volume <= 100", name="volume_in_range"),
        CheckConstraint("item_count >= 0", name="item_count_not_negative"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    current_track_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tracks.id", ondelete="SET NULL")
    )
    # Playback offset in the current track, in milliseconds.
    current_position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_playing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    repeat_mode: Mapped[str] = mapped_column(String(3), default=REPEAT_OFF, server_default="off")
    shuffle: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    volume: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    # Every item, readable or not: the next position (positions stay dense, 0..n-1) and the cap.
    item_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped by every change: live messages carry it, so a client can drop what it already has.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class QueueItem(UUIDPrimaryKey, Base):
    """One entry of a queue; the same track may be queued more than once."""

    __tablename__ = "queue_items"
    __table_args__ = (
        Index("ix_queue_items_queue_id_position", "queue_id", "position"),
        Index("ix_queue_items_track_id", "track_id"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    queue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("play_queues.id", ondelete="CASCADE"))
    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListeningSession(UUIDPrimaryKey, Timestamps, Base):
    """A shared queue whose host's playback every listener follows; only the token's hash is
    stored. Deleting the row ends the session."""

    __tablename__ = "listening_sessions"
    __table_args__ = (
        Index("ix_listening_sessions_host_id", "host_id"),
        CheckConstraint("item_count >= 0", name="item_count_not_negative"),
    )

    host_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    current_track_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tracks.id", ondelete="SET NULL")
    )
    current_position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_playing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the host's playback state last changed (server time): listeners extrapolate from it.
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    item_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SessionItem(UUIDPrimaryKey, Base):
    __tablename__ = "session_items"
    __table_args__ = (
        Index("ix_session_items_session_id_position", "session_id", "position"),
        Index("ix_session_items_track_id", "track_id"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("listening_sessions.id", ondelete="CASCADE")
    )
    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
