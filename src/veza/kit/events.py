"""In-process domain events, so one domain reacts to another without importing it.

A domain publishes a named event inside the request's transaction; subscribers run right
away on the same session, so their writes commit or roll back with the publisher's (work that
must wait for the commit registers ``after_commit``). Example: the accounts domain publishes
"user.deleted"; the tracks domain removes the tracks. Subscribers live in each domain's
``subscribers.py``, which ``veza.registry`` imports (and nothing else does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

Subscriber = Callable[..., Awaitable[None]]

_subscribers: dict[str, list[Subscriber]] = defaultdict(list)

# Event names, with the keyword payload each one carries.
USER_DELETED = "user.deleted"  # user_id: UUID, keep_public_tracks: bool
# A user stopped being readable by others (banned, deactivated or deleted): nothing of theirs
# may be served to others any more, cached copies included.
USER_WITHDRAWN = "user.withdrawn"  # user_id: UUID
USER_FOLLOWED = "user.followed"  # follower_id: UUID, followed_id: UUID (a new follow only)
# A track's metadata, visibility or existence changed (what others may see of it).
TRACK_CHANGED = "track.changed"  # track_id: UUID
# A track's current audio changed (new upload, new version, restore): it must be processed.
TRACK_AUDIO_CHANGED = "track.audio_changed"  # track_id: UUID, generation: int
# A playlist's metadata, entries or collaborators changed.
PLAYLIST_UPDATED = "playlist.updated"  # playlist_id: UUID, actor_id: UUID | None
# An order was paid (once: a provider's repeated confirmation publishes nothing).
ORDER_PAID = "order.paid"  # order_id: UUID
# A new track was uploaded (single or chunked), before its processing.
TRACK_UPLOADED = "track.uploaded"  # track_id: UUID, creator_id: UUID
# A track's processing finished: completed, or failed with a message.
TRACK_PROCESSED = "track.processed"  # track_id: UUID, creator_id: UUID
TRACK_FAILED = "track.failed"  # track_id: UUID, creator_id: UUID, message: str
# A new like (a repeated like publishes nothing) and a new comment or reply on a track.
TRACK_LIKED = "track.liked"  # track_id: UUID, creator_id: UUID, user_id: UUID
TRACK_COMMENTED = "track.commented"  # track_id, creator_id, comment_id, user_id: UUID


def subscribe(event: str, subscriber: Subscriber) -> Subscriber:
    """Register ``subscriber(session, **payload)`` for ``event``."""
    if subscriber not in _subscribers[event]:
        _subscribers[event].append(subscriber)
    return subscriber


def subscriber(event: str) -> Callable[[Subscriber], Subscriber]:
    """Decorator form of ``subscribe``."""

    def register(function: Subscriber) -> Subscriber:
        return subscribe(event, function)

    return register


def subscribers_of(event: str) -> list[Subscriber]:
    return list(_subscribers[event])


async def publish(session: AsyncSession, event: str, **payload: Any) -> None:
    for subscriber in list(_subscribers[event]):
        await subscriber(session, **payload)
