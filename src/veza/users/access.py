"""The one way to reach a user for a caller: who sees whom (404 when they may not)."""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Reads
from veza.kit.errors import NotFound
from veza.models import User
from veza.users import repository


class Account(Protocol):
    """What the reachability rule reads of a user: a User, or a row of its columns."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_banned(self) -> bool: ...


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    message = "User not found"


async def visible_user(session: AsyncSession, viewer: User | None, user_id: uuid.UUID) -> User:
    """The user as the viewer may reach them, or 404.

    Deleted users are 404 for everyone; inactive or banned ones for all but administrators;
    a user who blocked the viewer is 404 to that viewer. The blocker still reaches the user
    they blocked (the profile page is where they unblock).
    """
    user = await repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    await check_reachable(session, viewer, user)
    return user


async def check_reachable(reads: Reads, viewer: User | None, user: Account) -> None:
    if viewer is not None and (viewer.id == user.id or viewer.is_administrator):
        return
    if not user.is_active or user.is_banned:
        raise UserNotFound()
    if viewer is not None and await repository.is_blocked(reads, user.id, viewer.id):
        raise UserNotFound()
