"""Queries of the users domain, and the visibility pieces every other domain reuses.

For other domains (tracks, comments, playlists...), two calls hide what must be hidden:

- ``author_is_readable(Track.user_id)``: the author exists, is active and not banned (a deleted
  or banned user's content disappears from every list);
- ``not_hidden_from(Track.user_id, viewer_id)``: the author and the viewer have no block
  between them, in either direction (see ``hidden_user_ids``).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from veza.kit.db import Reads, connection_of
from veza.kit.queries import insert_ignoring_duplicates, rowcount
from veza.models import Block, Follow, User, utcnow
from veza.users.schemas import OwnerProfile

# A column holding a user id: Track.user_id, Comment.author_id...
AuthorColumn = ColumnElement[Any] | InstrumentedAttribute[Any]

# ---------------------------------------------------------------------------------------------
# Visibility: one statement for "readable users", one for "hidden by blocks".
# ---------------------------------------------------------------------------------------------


def user_is_readable(user: type[User] | Any = User) -> ColumnElement[bool]:
    """A user others may see at all: not deleted, active, not banned (``user``: User or an
    alias of it)."""
    return and_(user.deleted_at.is_(None), user.is_active.is_(True), user.is_banned.is_(False))


def readable_users() -> Select[User]:
    """Users anyone may see (profile privacy aside): the base of every user list."""
    return select(User).where(user_is_readable())


def readable_user_ids() -> Select[uuid.UUID]:
    return select(User.id).where(user_is_readable())


def author_is_readable(author_column: AuthorColumn) -> ColumnElement[bool]:
    """For other domains: the row's author (e.g. Track.user_id) is a readable user.

    A correlated EXISTS on the users' primary key, not ``IN (SELECT users.id ...)``: the
    database checks the few rows a page reads instead of listing every readable user first.
    The alias keeps the EXISTS correlated to the author column only, even when the outer query
    reads ``users`` itself; it is made once (making an alias of a table costs milliseconds)."""
    return exists().where(_AUTHOR.id == author_column, user_is_readable(_AUTHOR))


_AUTHOR = aliased(User, name="author")


@functools.lru_cache(maxsize=4096)
def hidden_user_ids(viewer_id: uuid.UUID) -> Select[uuid.UUID]:
    """Ids of the users hidden from ``viewer_id`` by a block, in either direction.

    A block hides both ways: the blocker no longer sees the blocked user's profile in lists,
    tracks, comments and playlists, and the blocked user no longer sees the blocker's.

    Remembered per viewer (the statement holds only the id; statements are immutable): a
    signed-in catalog page uses it three times, and making it cost more than the page's SQL.
    """
    blocked_by_viewer = select(Block.blocked_id.label("user_id")).where(
        Block.blocker_id == viewer_id
    )
    blocking_viewer = select(Block.blocker_id.label("user_id")).where(Block.blocked_id == viewer_id)
    hidden = union(blocked_by_viewer, blocking_viewer).subquery()
    return select(hidden.c.user_id)


def not_hidden_from(
    author_column: AuthorColumn, viewer_id: uuid.UUID | None
) -> ColumnElement[bool]:
    """For other domains: the row's author is not hidden from the viewer by a block."""
    if viewer_id is None:
        return true()
    return author_column.not_in(hidden_user_ids(viewer_id))


async def is_blocked(reads: Reads, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
    """``blocker_id`` blocked ``blocked_id`` (one direction)."""
    statement = select(
        exists().where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    )
    return bool(await reads.scalar(statement))


async def blocked_either_way(session: AsyncSession, a: uuid.UUID, b: uuid.UUID) -> bool:
    """For other domains: a block stands between two users (e.g. refuse a comment or a like)."""
    statement = select(
        exists().where(
            or_(
                and_(Block.blocker_id == a, Block.blocked_id == b),
                and_(Block.blocker_id == b, Block.blocked_id == a),
            )
        )
    )
    return bool(await session.scalar(statement))


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """A user that is not deleted (inactive or banned included: callers decide)."""
    user = await session.get(User, user_id)
    return user if user is not None and user.deleted_at is None else None


async def get_any_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """A user row whatever its state (deleted included): for administrators' views."""
    user: User | None = await session.get(User, user_id)
    return user


async def get_user_by_username(session: AsyncSession, username: str) -> User | None:
    statement = select(User).where(
        func.lower(User.username) == username.lower(), User.deleted_at.is_(None)
    )
    return (await session.scalars(statement)).first()


async def username_taken(session: AsyncSession, username: str, except_id: uuid.UUID) -> bool:
    # Deleted accounts keep their username reserved (the unique index covers every row).
    statement = select(
        exists().where(func.lower(User.username) == username.lower(), User.id != except_id)
    )
    return bool(await session.scalar(statement))


def listable_users(viewer: User | None, *, moderator: bool) -> Select[User]:
    """Users the viewer may see in a list.

    Administrators (``moderator``): every account that is not deleted. Everyone else: readable
    users with a public profile (their own included), minus those hidden by blocks.
    """
    if moderator:
        return select(User).where(User.deleted_at.is_(None))
    statement = readable_users()
    if viewer is None:
        return statement.where(User.is_public.is_(True))
    return statement.where(
        or_(User.is_public.is_(True), User.id == viewer.id),
        not_hidden_from(User.id, viewer.id),
    )


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, case-insensitively (wildcards escaped)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_matches(pattern: str, *, with_email: bool = False) -> ColumnElement[bool]:
    """Username or display name (first name, last name, or both) contains the pattern."""
    full_name = func.lower(
        func.coalesce(User.first_name, "") + literal(" ") + func.coalesce(User.last_name, "")
    )
    conditions = [
        func.lower(User.username).like(pattern, escape="\\"),
        full_name.like(pattern, escape="\\"),
    ]
    if with_email:
        conditions.append(func.lower(User.email).like(pattern, escape="\\"))
    return or_(*conditions)


# ---------------------------------------------------------------------------------------------
# Follows
# ---------------------------------------------------------------------------------------------


async def add_follow(session: AsyncSession, follower_id: uuid.UUID, followed_id: uuid.UUID) -> bool:
    """True when the follow is new."""
    statement = insert_ignoring_duplicates(
        session, Follow, follower_id=follower_id, followed_id=followed_id, created_at=utcnow()
    )
    return rowcount(await session.execute(statement)) > 0


async def remove_follow(
    session: AsyncSession, follower_id: uuid.UUID, followed_id: uuid.UUID
) -> None:
    await session.execute(
        delete(Follow).where(Follow.follower_id == follower_id, Follow.followed_id == followed_id)
    )


async def remove_follows_between(session: AsyncSession, a: uuid.UUID, b: uuid.UUID) -> None:
    await session.execute(
        delete(Follow).where(
            or_(
                and_(Follow.follower_id == a, Follow.followed_id == b),
                and_(Follow.follower_id == b, Follow.followed_id == a),
            )
        )
    )


async def follower_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    return (await follow_counts(session, [user_id]))[user_id][0]


def _readable_follows(columns: Iterable[Any], other_side: Any, other: Any = User) -> Select[Any]:
    """``columns`` of the follows whose other side (``other_side``, read as ``other``: User or
    an alias of it) is a readable user: the one rule of what a follow count counts."""
    readable = user_is_readable(other)
    return select(*columns).select_from(Follow).join(other, other.id == other_side).where(readable)


def _follow_counts() -> Any:
    # Both sides in one statement: a round trip to the driver costs more than either count.
    # Made once, the ids an expanding parameter: building it cost more than running it.
    ids: Any = bindparam("ids", expanding=True)
    followers = (
        _readable_follows((Follow.followed_id, literal(0), func.count()), Follow.follower_id)
        .where(Follow.followed_id.in_(ids))
        .group_by(Follow.followed_id)
    )
    following = (
        _readable_follows((Follow.follower_id, literal(1), func.count()), Follow.followed_id)
        .where(Follow.follower_id.in_(ids))
        .group_by(Follow.follower_id)
    )
    return union_all(followers, following)


_FOLLOW_COUNTS = _follow_counts()


async def follow_counts(
    session: AsyncSession, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """(followers, following) per user, counting only readable users on the other side.

    Counted live rather than stored: a banned or deleted account drops out of every count
    without any bookkeeping.
    """
    ids = list(set(user_ids))
    counts = {user_id: (0, 0) for user_id in ids}
    if not ids:
        return counts
    follower_map: dict[uuid.UUID, int] = {}
    following_map: dict[uuid.UUID, int] = {}
    for user_id, side, count in await session.execute(_FOLLOW_COUNTS, {"ids": ids}):
        (following_map if side else follower_map)[user_id] = int(count)
    return {
        user_id: (follower_map.get(user_id, 0), following_map.get(user_id, 0)) for user_id in ids
    }


# The columns a profile reads (every view's: the owner's has them all), for the read that
# encodes a row without making a User object.
PROFILE_COLUMNS = tuple(
    column for column in User.__table__.columns if column.key in OwnerProfile.model_fields
)


def _profile_row() -> Select[Any]:
    # The counts as correlated subqueries (each through its index): the profile, its
    # follower_count and its following_count in one round trip. Made once, the id bound.
    other = aliased(User, name="other_side")
    followers, following = (
        _readable_follows((func.count(),), other_side, other)
        .where(side == User.id)
        .correlate(User)
        .scalar_subquery()
        for side, other_side in (
            (Follow.followed_id, Follow.follower_id),
            (Follow.follower_id, Follow.followed_id),
        )
    )
    return select(
        *PROFILE_COLUMNS, followers.label("follower_count"), following.label("following_count")
    ).where(User.id == bindparam("user_id"), User.deleted_at.is_(None))


_PROFILE_ROW = _profile_row()


async def get_profile_row(reads: Reads, user_id: uuid.UUID) -> Row[Any] | None:
    """``get_user`` as a row of ``PROFILE_COLUMNS`` with its follower_count and
    following_count (counted as ``follow_counts`` counts them)."""
    # Through the connection: a row of table columns needs none of the ORM's result handling
    # (a tenth of the statement's time on the hot read).
    connection = await connection_of(reads)
    return (await connection.execute(_PROFILE_ROW, {"user_id": user_id})).first()


@dataclass
class Relations:
    """The viewer's relations to a set of users."""

    following: set[uuid.UUID] = field(default_factory=set)
    followed_by: set[uuid.UUID] = field(default_factory=set)
    blocked: set[uuid.UUID] = field(default_factory=set)


def _relations() -> Any:
    # The three relations in one statement (a round trip to the driver costs more than any of
    # them), made once: the viewer a bound parameter, the ids an expanding one.
    viewer: Any = bindparam("viewer_id", type_=Follow.follower_id.type)
    ids: Any = bindparam("ids", expanding=True)
    return union_all(
        select(literal(0), Follow.followed_id).where(
            Follow.follower_id == viewer, Follow.followed_id.in_(ids)
        ),
        select(literal(1), Follow.follower_id).where(
            Follow.followed_id == viewer, Follow.follower_id.in_(ids)
        ),
        select(literal(2), Block.blocked_id).where(
            Block.blocker_id == viewer, Block.blocked_id.in_(ids)
        ),
    )


_RELATIONS = _relations()


async def relations(reads: Reads, viewer_id: uuid.UUID, user_ids: Iterable[uuid.UUID]) -> Relations:
    ids = list(set(user_ids))
    found = Relations()
    if not ids:
        return found
    kinds = (found.following, found.followed_by, found.blocked)
    for kind, user_id in await reads.execute(_RELATIONS, {"viewer_id": viewer_id, "ids": ids}):
        kinds[kind].add(user_id)
    return found


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------


async def add_block(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
    statement = insert_ignoring_duplicates(
        session, Block, blocker_id=blocker_id, blocked_id=blocked_id, created_at=utcnow()
    )
    return rowcount(await session.execute(statement)) > 0


async def remove_block(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> None:
    await session.execute(
        delete(Block).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    )


async def remove_social_rows_of(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Every follow and block a (deleted) user takes part in, on either side."""
    await session.execute(
        delete(Follow).where(or_(Follow.follower_id == user_id, Follow.followed_id == user_id))
    )
    await session.execute(
        delete(Block).where(or_(Block.blocker_id == user_id, Block.blocked_id == user_id))
    )


# ---------------------------------------------------------------------------------------------
# Suggestions
# ---------------------------------------------------------------------------------------------

CREATOR_ROLES = ("creator",)


def suggestable_users(viewer_id: uuid.UUID) -> Select[User]:
    """Readable public users other than the viewer, not followed by them, not hidden."""
    already_followed = select(Follow.followed_id).where(Follow.follower_id == viewer_id)
    return readable_users().where(
        User.is_public.is_(True),
        User.id != viewer_id,
        User.id.not_in(already_followed),
        not_hidden_from(User.id, viewer_id),
    )


async def followed_by_followees(
    session: AsyncSession, viewer_id: uuid.UUID, limit: int
) -> list[User]:
    """Users followed by people the viewer follows, the most recently followed first."""
    followees = (
        select(Follow.followed_id)
        .join(User, User.id == Follow.followed_id)
        .where(Follow.follower_id == viewer_id, user_is_readable())
    )
    latest = (
        select(Follow.followed_id.label("user_id"), func.max(Follow.created_at).label("at"))
        .where(Follow.follower_id.in_(followees))
        .group_by(Follow.followed_id)
        .subquery()
    )
    statement = (
        suggestable_users(viewer_id)
        .join(latest, latest.c.user_id == User.id)
        .order_by(latest.c.at.desc(), User.id)
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def newest_creators(
    session: AsyncSession, viewer_id: uuid.UUID, limit: int, *, exclude: Iterable[uuid.UUID]
) -> list[User]:
    """Creators, newest first (when they became creators, else when they joined)."""
    became_creator = func.coalesce(User.promoted_to_creator_at, User.created_at)
    statement = (
        suggestable_users(viewer_id)
        .where(User.role.in_(CREATOR_ROLES))
        .order_by(became_creator.desc(), User.id)
        .limit(limit)
    )
    excluded = list(exclude)
    if excluded:
        statement = statement.where(User.id.not_in(excluded))
    return list(await session.scalars(statement))
