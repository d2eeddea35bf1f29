"""Notifications: one row per group of like events, with the actors that make up the group."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, UUIDPrimaryKey, utcnow


class Notification(UUIDPrimaryKey, Base):
    """What happened to one object of the recipient ("X and 3 others liked your track").

    Events of one ``kind`` on one object join the recipient's open group (unread, started
    within the grouping window); otherwise they start a new one. ``updated_at`` is the time of
    the latest event and orders the list.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_updated", "recipient_id", "updated_at"),
        Index(
            "ix_notifications_group",
            "recipient_id",
            "kind",
            "object_type",
            "object_id",
            "created_at",
        ),
    )

    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[uuid.UUID] = mapped_column()
    is_read: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    read_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationActor(Base):
    """One user who took part in a notification group (each user once per group)."""

    __tablename__ = "notification_actors"
    __table_args__ = (Index("ix_notification_actors_actor_id", "actor_id"),)

    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
