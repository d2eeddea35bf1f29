"""In-process domain events, so one domain reacts to another without importing it.

A domain publishes a named event inside the request's transaction; subscribers run right
away on the same session, so their writes commit or roll back with the publisher's.
Example: the accounts domain publishes "user.deleted"; the tracks domain removes the tracks.
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


def subscribe(event: str, subscriber: Subscriber) -> Subscriber:
    """Register ``subscriber(session, **payload)`` for ``event``; usable as a decorator factory."""
    if subscriber not in _subscribers[event]:
        _subscribers[event].append(subscriber)
    return subscriber


async def publish(session: AsyncSession, event: str, **payload: Any) -> None:
    for subscriber in list(_subscribers[event]):
        await subscriber(session, **payload)
