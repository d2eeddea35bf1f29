"""Factories: rows created straight in the database, the tokens and members that use them.

Every test that needs a row it does not exercise makes it here: users and their login sessions,
members (a user with the headers that authenticate as them), tracks and comments. The
``set_*_fields`` helpers and ``age_notifications`` change rows behind the API's back;
``track_row`` reads one.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select, update

from veza.kit.tokens import ACCESS_TOKEN_TYPE
from veza.models import AuthSession, Comment, Notification, Track, User
from veza.models.track import TRACK_COMPLETED

_counter = itertools.count(1)
_titles = itertools.count(1)
# A precomputed argon2id hash keeps factories fast; the plain text is PASSWORD.
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH: str | None = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from veza.kit.passwords import hash_password_sync

        _PASSWORD_HASH = hash_password_sync(PASSWORD)
    return _PASSWORD_HASH


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


# Users, sessions and tokens --------------------------------------------------------------------


async def create_user(app: FastAPI, **overrides: Any) -> User:
    n = next(_counter)
    values: dict[str, Any] = {
        "email": f"user{n}@example.com",
        "username": f"user{n}",
        "password_hash": _password_hash(),
        "is_verified": True,
        "email_verified_at": datetime.now(UTC),
    }
    values.update(overrides)
    user = User(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(user)
    return user


async def create_auth_session(app: FastAPI, user: User) -> AuthSession:
    """A live login session of ``user`` (what login opens), without a refresh token."""
    now = datetime.now(UTC)
    auth_session = AuthSession(user_id=user.id, created_at=now, expires_at=now + timedelta(days=1))
    async with app.state.db.writer() as session, session.begin():
        session.add(auth_session)
    return auth_session


async def access_token(app: FastAPI, user: User, **claims: Any) -> str:
    """A valid access token for ``user``, as login would issue it: it names a real session."""
    auth_session = await create_auth_session(app, user)
    token: str = app.state.tokens.encode(
        subject=str(user.id),
        typ=ACCESS_TOKEN_TYPE,
        ttl_seconds=900,
        claims={"token_version": user.token_version, "sid": str(auth_session.id), **claims},
    )
    return token


async def auth_headers(app: FastAPI, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {await access_token(app, user)}"}


async def set_user_fields(app: FastAPI, user_id: uuid.UUID, **values: Any) -> None:
    async with app.state.db.writer() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(**values))


# Members: a user and the headers that authenticate as them ------------------------------------


@dataclass
class Member:
    """A user and the headers that authenticate as them."""

    user: User
    headers: dict[str, str]

    @property
    def id(self) -> uuid.UUID:
        return self.user.id


async def member(app: FastAPI, **fields: Any) -> Member:
    """A new verified user (``fields`` override ``create_user``'s defaults), logged in."""
    user = await create_user(app, **fields)
    return Member(user, await auth_headers(app, user))


async def admin(app: FastAPI) -> Member:
    """A new administrator, logged in."""
    return await member(app, is_admin=True, role="admin")


# Tracks ----------------------------------------------------------------------------------------


async def create_track(app: FastAPI, owner: Member | User, **fields: Any) -> Track:
    """A processed track (public, completed, 180 s) owned by ``owner``; ``fields`` override."""
    values: dict[str, Any] = {
        "creator_id": owner.id,
        "title": f"Track {next(_titles)}",
        "status": TRACK_COMPLETED,
        "is_public": True,
        "duration": 180,
        "format": "mp3",
    }
    values.update(fields)
    track = Track(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(track)
    return track


async def set_track_fields(app: FastAPI, track_id: uuid.UUID, **values: Any) -> None:
    async with app.state.db.writer() as session, session.begin():
        await session.execute(update(Track).where(Track.id == track_id).values(**values))


async def track_row(app: FastAPI, track_id: uuid.UUID | str) -> Track:
    """The track as the database holds it now."""
    async with app.state.db.reader() as session:
        track = await session.scalar(select(Track).where(Track.id == uuid.UUID(str(track_id))))
    assert track is not None
    return track


# Comments --------------------------------------------------------------------------------------


async def create_comment(
    app: FastAPI,
    author: Member | User,
    track_id: uuid.UUID | str,
    parent_id: uuid.UUID | str | None = None,
    **fields: Any,
) -> Comment:
    """A live comment by ``author`` on a track, written straight in the database.

    Defaults: content "Nice one", at the start of the track (timestamp 0), top-level unless
    ``parent_id`` names the comment it replies to; ``fields`` override. Nothing else happens:
    no notification, no rate limit, no check that the author may see the track.
    """
    values: dict[str, Any] = {
        "track_id": _uuid(track_id),
        "user_id": author.id,
        "parent_id": _uuid(parent_id) if parent_id is not None else None,
        "content": "Nice one",
        "timestamp_seconds": 0.0,
    }
    values.update(fields)
    comment = Comment(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(comment)
    return comment


# Notifications ---------------------------------------------------------------------------------


async def age_notifications(app: FastAPI, recipient_id: uuid.UUID, created_at: datetime) -> None:
    """Move a recipient's notification groups back in time (grouping-window tests)."""
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.recipient_id == recipient_id)
            .values(created_at=created_at, updated_at=created_at)
        )
