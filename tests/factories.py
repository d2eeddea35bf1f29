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
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select, update

from veza.kit.tokens import ACCESS_TOKEN_TYPE
from veza.models import AuthSession, Comment, Notification, Playlist, Track, User, Webhook
from veza.models.playlist import PlaylistCollaborator, PlaylistTrack
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


# Playlists -------------------------------------------------------------------------------------


async def create_playlist(
    app: FastAPI,
    owner: Member | User,
    *,
    tracks: list[Track] | None = None,
    collaborators: dict[uuid.UUID, str] | None = None,
    **fields: Any,
) -> Playlist:
    """A playlist of ``owner`` (private, "Playlist n" unless ``fields`` say otherwise), holding
    ``tracks`` in order (added by the owner) and the ``collaborators`` {user id: permission}."""
    entries = tracks or []
    values: dict[str, Any] = {
        "user_id": owner.id,
        "title": f"Playlist {next(_titles)}",
        "is_public": False,
        "entry_count": len(entries),
    }
    values.update(fields)
    playlist = Playlist(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(playlist)
        await session.flush()
        for position, track in enumerate(entries):
            session.add(
                PlaylistTrack(
                    playlist_id=playlist.id,
                    track_id=track.id,
                    position=position,
                    added_by=owner.id,
                )
            )
        for user_id, permission in (collaborators or {}).items():
            session.add(
                PlaylistCollaborator(
                    playlist_id=playlist.id, user_id=user_id, permission=permission
                )
            )
    return playlist


# Notifications ---------------------------------------------------------------------------------


async def create_webhook(
    app: FastAPI, owner: Member | User, url: str = "http://127.0.0.1:9/hook", **fields: Any
) -> Webhook:
    """A webhook of ``owner`` written straight to the database (its key sealed as the API
    seals it, though nobody knows it): ``url`` is not checked."""
    from veza.webhooks import signing

    hook_id = uuid.uuid4()
    box = signing.key_box(app.state.settings)
    values: dict[str, Any] = {
        "id": hook_id,
        "user_id": owner.id,
        "url": url,
        "events": ["user.followed", "webhook.test"],
        "sealed_key": signing.seal_key(box, hook_id, signing.new_key()),
    }
    values.update(fields)
    webhook = Webhook(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(webhook)
    return webhook


async def age_notifications(app: FastAPI, recipient_id: uuid.UUID, created_at: datetime) -> None:
    """Move a recipient's notification groups back in time (grouping-window tests)."""
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.recipient_id == recipient_id)
            .values(created_at=created_at, updated_at=created_at)
        )


# Every table -----------------------------------------------------------------------------------


async def fill_every_table(app: FastAPI) -> dict[str, int]:
    """Two rows in every table of the models, every column given a value (copy tests).

    Generic, so a new table gets rows without a change here. In a table that refers to itself
    the second row refers to the first and has the smaller id, so copying in id order alone
    would break the reference. Two references of one row to the same table name different
    rows (a follow is never of oneself). Returns the row count of each table.
    """
    from veza.models import Base

    made: dict[str, list[dict[str, Any]]] = {}
    async with app.state.db.writer() as session, session.begin():
        for table in Base.metadata.sorted_tables:
            rows: list[dict[str, Any]] = []
            for index in range(2):
                rows.append(_row_of(table, index, made, rows))
            await session.execute(table.insert(), rows)
            made[table.name] = rows
    return {name: len(rows) for name, rows in made.items()}


def _row_of(
    table: Any, index: int, made: dict[str, list[dict[str, Any]]], earlier: list[dict[str, Any]]
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    references = 0
    for column in table.columns:
        foreign = next(iter(column.foreign_keys), None)
        if foreign is not None and foreign.column.table is table:
            row[column.key] = earlier[0][foreign.column.key] if earlier else None
        elif foreign is not None:
            targets = made[foreign.column.table.name]
            row[column.key] = targets[(index + references) % len(targets)][foreign.column.key]
            references += 1
        else:
            row[column.key] = _value_for(column, index)
    return row


# Columns whose CHECK constraint admits only some values.
_CHECKED_VALUES = {
    ("playlist_collaborators", "permission"): ("read", "admin"),
    ("play_queues", "repeat_mode"): ("off", "all"),
}


def _value_for(column: Any, index: int) -> Any:
    from sqlalchemy import JSON

    if (column.table.name, column.name) in _CHECKED_VALUES:
        return _CHECKED_VALUES[column.table.name, column.name][index]
    if isinstance(column.type, JSON):
        return {"list": ["a", 1, None], "n": index}
    kind = getattr(column.type, "impl_instance", column.type).python_type  # under decorators
    if kind is uuid.UUID:
        return uuid.UUID(int=(2 - index) << 64 | next(_counter))  # the second row sorts first
    if kind is str:
        value = f"{column.name}-{next(_counter)}"
        length = getattr(column.type, "length", None)
        return value[-length:] if length else value
    values: dict[type, Any] = {
        bool: index == 0,
        int: index + 1,
        float: 1.5 + index,
        datetime: datetime(2026, 1, 2, 3, 4, 5, 678901 - index, tzinfo=UTC),
        date: date(2000, 1, 1 + index),
    }
    if kind not in values:
        raise TypeError(f"fill_every_table: no value for {column.table.name}.{column.name}")
    return values[kind]
