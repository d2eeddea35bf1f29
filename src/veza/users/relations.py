"""Follows and blocks between users: the social graph's rules."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.kit.errors import BadRequest
from veza.models import User
from veza.users import repository
from veza.users.access import UserNotFound
from veza.users.schemas import BlockResult, FollowResult


async def follow(session: AsyncSession, actor: User, target_id: uuid.UUID) -> FollowResult:
    if target_id == actor.id:
        raise BadRequest("You cannot follow yourself", code="CANNOT_FOLLOW_SELF")
    target = await repository.get_user(session, target_id)
    if target is None or not target.is_active or target.is_banned:
        raise UserNotFound()
    if await repository.is_blocked(session, target.id, actor.id):
        raise UserNotFound()  # the target blocked the actor: they are not told
    if await repository.is_blocked(session, actor.id, target.id):
        raise BadRequest("Unblock this user before following them", code="USER_BLOCKED")
    if await repository.add_follow(session, actor.id, target.id):
        await events.publish(
            session, events.USER_FOLLOWED, follower_id=actor.id, followed_id=target.id
        )
    return FollowResult(
        message="Following",
        is_following=True,
        follower_count=await repository.follower_count(session, target.id),
    )


async def unfollow(session: AsyncSession, actor: User, target_id: uuid.UUID) -> FollowResult:
    if target_id == actor.id:
        raise BadRequest("You cannot unfollow yourself", code="CANNOT_FOLLOW_SELF")
    await repository.remove_follow(session, actor.id, target_id)
    return FollowResult(
        message="Not following",
        is_following=False,
        follower_count=await repository.follower_count(session, target_id),
    )


async def block(session: AsyncSession, actor: User, target_id: uuid.UUID) -> BlockResult:
    if target_id == actor.id:
        raise BadRequest("You cannot block yourself", code="CANNOT_BLOCK_SELF")
    if await repository.get_user(session, target_id) is None:
        raise UserNotFound()
    await repository.add_block(session, actor.id, target_id)
    await repository.remove_follows_between(session, actor.id, target_id)
    return BlockResult(message="User blocked", is_blocked=True)


async def unblock(session: AsyncSession, actor: User, target_id: uuid.UUID) -> BlockResult:
    if target_id == actor.id:
        raise BadRequest("You cannot unblock yourself", code="CANNOT_BLOCK_SELF")
    await repository.remove_block(session, actor.id, target_id)
    return BlockResult(message="User unblocked", is_blocked=False)
