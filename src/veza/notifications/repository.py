"""Queries of the notifications domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import queries
from veza.kit.queries import insert_ignoring_duplicates, rowcount
from veza.models import Notification, NotificationActor, User
from veza.users.repository import not_hidden_from, user_is_readable


def _has_visible_actor(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    """At least one actor of the group is readable and not hidden from the recipient by a block."""
    return exists(
        select(NotificationActor.actor_id)
        .join(User, User.id == NotificationActor.actor_id)
        .where(
            NotificationActor.notification_id == Notification.id,
            user_is_readable(),
            not_hidden_from(NotificationActor.actor_id, viewer_id),
        )
    )


def readable_notifications(recipient_id: uuid.UUID) -> Select[Notification]:
    """The recipient's notifications that still have someone to show (the one visibility rule)."""
    return select(Notification).where(
        Notification.recipient_id == recipient_id, _has_visible_actor(recipient_id)
    )


async def page(
    session: AsyncSession, recipient_id: uuid.UUID, *, unread_only: bool, offset: int, limit: int
) -> tuple[list[Notification], int]:
    statement = readable_notifications(recipient_id)
    if unread_only:
        statement = statement.where(Notification.is_read.is_(False))
    return await queries.page(
        session,
        statement,
        [Notification.updated_at.desc(), Notification.id.desc()],
        offset=offset,
        limit=limit,
    )


async def unread_count(session: AsyncSession, recipient_id: uuid.UUID) -> int:
    statement = readable_notifications(recipient_id).where(Notification.is_read.is_(False))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    return int(total or 0)


async def visible_actors(
    session: AsyncSession, recipient_id: uuid.UUID, notification_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, User]]:
    """(notification id, actor) pairs, most recent actor first, hidden actors left out."""
    if not notification_ids:
        return []
    rows = await session.execute(
        select(NotificationActor.notification_id, User)
        .join(User, User.id == NotificationActor.actor_id)
        .where(
            NotificationActor.notification_id.in_(notification_ids),
            user_is_readable(),
            not_hidden_from(NotificationActor.actor_id, recipient_id),
        )
        .order_by(NotificationActor.created_at.desc(), User.id)
    )
    return [(row[0], row[1]) for row in rows]


async def actor_already_notified(
    session: AsyncSession,
    *,
    recipient_id: uuid.UUID,
    actor_id: uuid.UUID,
    kind: str,
    object_type: str,
    object_id: uuid.UUID,
    since: datetime,
) -> bool:
    """The actor is already in a group of this kind on this object started within the window.

    Read or not: undoing and redoing an action (unfollow, follow) does not notify again.
    """
    statement = select(
        exists()
        .where(
            NotificationActor.notification_id == Notification.id,
            NotificationActor.actor_id == actor_id,
        )
        .where(*_group_of(recipient_id, kind, object_type, object_id, since))
    )
    return bool(await session.scalar(statement))


def _group_of(
    recipient_id: uuid.UUID, kind: str, object_type: str, object_id: uuid.UUID, since: datetime
) -> tuple[ColumnElement[bool], ...]:
    return (
        Notification.recipient_id == recipient_id,
        Notification.kind == kind,
        Notification.object_type == object_type,
        Notification.object_id == object_id,
        Notification.created_at >= since,
    )


async def open_group(
    session: AsyncSession,
    *,
    recipient_id: uuid.UUID,
    kind: str,
    object_type: str,
    object_id: uuid.UUID,
    since: datetime,
) -> Notification | None:
    """The unread group of this kind on this object started within the window, if any."""
    statement = (
        select(Notification)
        .where(*_group_of(recipient_id, kind, object_type, object_id, since))
        .where(Notification.is_read.is_(False))
        .order_by(Notification.created_at.desc())
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def add_actor(
    session: AsyncSession, notification_id: uuid.UUID, actor_id: uuid.UUID, at: datetime
) -> None:
    await session.execute(
        insert_ignoring_duplicates(
            session,
            NotificationActor,
            notification_id=notification_id,
            actor_id=actor_id,
            created_at=at,
        )
    )


async def touch(session: AsyncSession, notification_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        update(Notification).where(Notification.id == notification_id).values(updated_at=at)
    )


async def mark_read(
    session: AsyncSession, recipient_id: uuid.UUID, ids: Sequence[uuid.UUID] | None, at: datetime
) -> int:
    """Marks the recipient's unread notifications read (all of them when ``ids`` is None)."""
    statement = (
        update(Notification)
        .where(Notification.recipient_id == recipient_id, Notification.is_read.is_(False))
        .values(is_read=True, read_at=at)
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    return rowcount(await session.execute(statement))


async def remove_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """A deleted user's notifications, their part in others', and groups left with no actor."""
    await session.execute(delete(Notification).where(Notification.recipient_id == user_id))
    touched = list(
        await session.scalars(
            select(NotificationActor.notification_id).where(NotificationActor.actor_id == user_id)
        )
    )
    await session.execute(delete(NotificationActor).where(NotificationActor.actor_id == user_id))
    if touched:
        has_actor = exists().where(NotificationActor.notification_id == Notification.id)
        await session.execute(
            delete(Notification)
            .where(Notification.id.in_(touched), ~has_actor)
            .execution_options(synchronize_session=False)
        )
