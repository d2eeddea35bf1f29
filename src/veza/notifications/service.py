"""Notifications: the store other domains write to with ``notify``, and the recipient's list.

Events of one kind on one object (e.g. likes of one track) within a window join one group,
shown as "X and 3 others liked your track". Nobody is notified of their own actions, nor of
the actions of someone a block stands between.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.pagination import PageParams, pagination
from veza.models import Notification, User, utcnow
from veza.notifications import repository
from veza.notifications.schemas import (
    Actor,
    MarkReadRequest,
    MarkReadResult,
    NotificationItem,
    NotificationPage,
)
from veza.users import repository as users_repository
from veza.users.schemas import display_name

# Kinds other domains use; any other kind is accepted and phrased generically.
FOLLOW = "follow"
LIKE = "like"
REPOST = "repost"
COMMENT = "comment"
REPLY = "reply"
SALE = "sale"  # a buyer paid for one of the recipient's products
PLAYLIST_COLLABORATOR = "playlist_collaborator"

DEFAULT_GROUP_WINDOW = timedelta(hours=24)
SHOWN_ACTORS = 3

_PHRASES = {
    FOLLOW: "followed you",
    LIKE: "liked your {object}",
    REPOST: "reposted your {object}",
    COMMENT: "commented on your {object}",
    REPLY: "replied to your {object}",
    SALE: "bought your {object}",
    PLAYLIST_COLLABORATOR: "added you as a collaborator on a {object}",
}


async def notify(
    session: AsyncSession,
    recipient_id: uuid.UUID,
    actor_id: uuid.UUID,
    kind: str,
    object_type: str,
    object_id: uuid.UUID,
    *,
    window: timedelta = DEFAULT_GROUP_WINDOW,
) -> None:
    """Tell ``recipient_id`` that ``actor_id`` did ``kind`` on their ``object_type``.

    Call it inside the request's transaction, after the action itself succeeded. It does
    nothing for one's own actions, across a block, for a recipient who cannot be reached, or
    when the same actor already counts in a group of this kind on this object in the window.
    """
    if recipient_id == actor_id:
        return
    if await users_repository.blocked_either_way(session, recipient_id, actor_id):
        return
    recipient = await users_repository.get_user(session, recipient_id)
    if recipient is None or not recipient.is_active or recipient.is_banned:
        return
    now = utcnow()
    since = now - window
    already = await repository.actor_already_notified(
        session,
        recipient_id=recipient_id,
        actor_id=actor_id,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        since=since,
    )
    if already:
        return
    group = await repository.open_group(
        session,
        recipient_id=recipient_id,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        since=since,
    )
    if group is None:
        group = Notification(
            recipient_id=recipient_id,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            created_at=now,
            updated_at=now,
        )
        session.add(group)
        await session.flush()
    else:
        await repository.touch(session, group.id, now)
    await repository.add_actor(session, group.id, actor_id, now)


def message(kind: str, object_type: str, actors: list[Actor], actor_count: int) -> str:
    phrase = _PHRASES.get(kind, kind.replace("_", " ") + " on your {object}")
    action = phrase.format(object=object_type.replace("_", " "))
    first = actors[0].display_name
    if actor_count == 1:
        return f"{first} {action}"
    if actor_count == 2 and len(actors) > 1:
        return f"{first} and {actors[1].display_name} {action}"
    others = actor_count - 1
    return f"{first} and {others} other{'s' if others > 1 else ''} {action}"


def _actor(user: User) -> Actor:
    return Actor(
        id=user.id, username=user.username, display_name=display_name(user), avatar=user.avatar
    )


async def list_notifications(
    session: AsyncSession, recipient: User, paging: PageParams, *, unread_only: bool
) -> NotificationPage:
    rows, total = await repository.page(
        session, recipient.id, unread_only=unread_only, offset=paging.offset, limit=paging.limit
    )
    actors_by_group: dict[uuid.UUID, list[User]] = defaultdict(list)
    for notification_id, user in await repository.visible_actors(
        session, recipient.id, [row.id for row in rows]
    ):
        actors_by_group[notification_id].append(user)
    items = []
    for row in rows:
        users = actors_by_group.get(row.id)
        if not users:  # its last visible actor went away between the two queries
            continue
        shown = [_actor(user) for user in users[:SHOWN_ACTORS]]
        items.append(
            NotificationItem(
                id=row.id,
                kind=row.kind,
                object_type=row.object_type,
                object_id=row.object_id,
                actor=shown[0],
                actors=shown,
                actor_count=len(users),
                others_count=len(users) - 1,
                message=message(row.kind, row.object_type, shown, len(users)),
                is_read=row.is_read,
                read_at=row.read_at,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
    return NotificationPage(
        notifications=items,
        unread_count=await repository.unread_count(session, recipient.id),
        pagination=pagination(paging, total),
    )


async def mark_read(
    session: AsyncSession, recipient: User, request: MarkReadRequest
) -> MarkReadResult:
    ids = None if request.all else list(request.ids or [])
    updated = await repository.mark_read(session, recipient.id, ids, utcnow())
    return MarkReadResult(
        updated=updated, unread_count=await repository.unread_count(session, recipient.id)
    )
