"""Comments on tracks: top-level or replies, optionally pinned to a position in the audio."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, Timestamps, UUIDPrimaryKey


class Comment(UUIDPrimaryKey, Timestamps, Base):
    """One comment. A reply names its parent, a comment of the same track.

    Deleting a comment keeps the row (``deleted_at`` set, content erased) so its replies keep
    their place in the thread, under a parent shown as deleted.
    """

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("timestamp_seconds >= 0", name="timestamp_not_negative"),
        # Top-level comments of a track, newest first; the replies of a comment, in order.
        Index("ix_comments_track_id_parent_id_created_at", "track_id", "parent_id", "created_at"),
        Index("ix_comments_parent_id_created_at", "parent_id", "created_at"),
        Index("ix_comments_user_id", "user_id"),
    )

    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE")
    )
    content: Mapped[str] = mapped_column(Text)
    # Position in the track, in seconds (0: the track as a whole).
    timestamp_seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    edited_at: Mapped[datetime | None] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()
    # Who deleted it: its author, the track's owner or an administrator.
    deleted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
