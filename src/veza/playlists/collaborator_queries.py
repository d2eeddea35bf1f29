"""Queries of a playlist's collaborators. Who may read the playlist is
``repository.readable_by``'s question, asked before these; a collaborator is shown to a viewer
when their account is readable and no block stands between them (administrators see all).
Each row holds the collaborator's own columns and their account's card (``CARD_FIELDS``), the
one shape every collaborator answer is built from (``presenters.collaborator_response``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.kit.db import Reads
from veza.kit.queries import insert_ignoring_duplicates, rowcount
from veza.models import PlaylistCollaborator, User, Viewer
from veza.playlists.repository import PLAYLIST_ID
from veza.tracks.bound import VIEWER_ID
from veza.users.repository import not_hidden_from, user_is_readable


def _shown_collaborator(viewer_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    """A collaborator shown to a viewer who is not an administrator (they see them all)."""
    return [user_is_readable(), not_hidden_from(User.id, viewer_id)]


# A collaborator as its answers show them (``presenters.collaborator_response``): the row's
# own columns under their names, and the account's card under ``user_<field>`` (the card's id
# is the row's ``user_id``).
CARD_FIELDS = (
    "username",
    "slug",
    "first_name",
    "last_name",
    "avatar",
    "role",
    "is_verified",
    "is_public",
    "created_at",
)
_COLLABORATOR_COLUMNS = (
    *PlaylistCollaborator.__table__.columns,
    *(getattr(User, name).label(f"user_{name}") for name in CARD_FIELDS),
)


def _collaborators_of(*conditions: ColumnElement[bool]) -> Select[Any]:
    return (
        select(*_COLLABORATOR_COLUMNS)
        .join(User, User.id == PlaylistCollaborator.user_id)
        .where(*conditions)
        .order_by(PlaylistCollaborator.created_at, PlaylistCollaborator.id)
    )


# One playlist's collaborators as a member sees them, the ids bound (tracks/bound.py).
_COLLABORATORS_FOR_BOUND_MEMBER = _collaborators_of(
    PlaylistCollaborator.playlist_id == PLAYLIST_ID, *_shown_collaborator(VIEWER_ID)
)


async def playlist_collaborators(
    reads: Reads, playlist_id: uuid.UUID, viewer: Viewer
) -> list[Row[Any]]:
    """``collaborators`` of one playlist for a signed-in viewer."""
    if viewer.is_administrator:
        return await collaborators(reads, [playlist_id], viewer)
    result = await reads.execute(
        _COLLABORATORS_FOR_BOUND_MEMBER, {"playlist_id": playlist_id, "viewer_id": viewer.id}
    )
    return list(result.all())


async def collaborators(
    reads: Reads, playlist_ids: Iterable[uuid.UUID], viewer: Viewer | None
) -> list[Row[Any]]:
    """The collaborators of the playlists as ``viewer`` may see them (readable accounts, none
    across a block), oldest first."""
    ids = list(set(playlist_ids))
    if not ids:
        return []
    shown = (
        []
        if viewer is not None and viewer.is_administrator
        else _shown_collaborator(viewer.id if viewer else None)
    )
    statement = _collaborators_of(PlaylistCollaborator.playlist_id.in_(ids), *shown)
    return list((await reads.execute(statement)).all())


async def collaborator_row(
    session: AsyncSession, playlist_id: uuid.UUID, user_id: uuid.UUID
) -> Row[Any] | None:
    """One collaborator of the playlist, whoever may see them (the answer to an edit)."""
    statement = _collaborators_of(
        PlaylistCollaborator.playlist_id == playlist_id, PlaylistCollaborator.user_id == user_id
    )
    return (await session.execute(statement)).first()


async def collaborator_count(session: AsyncSession, playlist_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(PlaylistCollaborator.playlist_id == playlist_id)
    )
    return int(count or 0)


async def get_collaborator(
    session: AsyncSession, playlist_id: uuid.UUID, user_id: uuid.UUID
) -> PlaylistCollaborator | None:
    row: PlaylistCollaborator | None = await session.scalar(
        select(PlaylistCollaborator)
        .where(
            PlaylistCollaborator.playlist_id == playlist_id,
            PlaylistCollaborator.user_id == user_id,
        )
        .execution_options(populate_existing=True)
    )
    return row


async def add_collaborator(
    session: AsyncSession,
    playlist_id: uuid.UUID,
    user_id: uuid.UUID,
    permission: str,
    now: datetime,
) -> bool:
    """False when the user already collaborates (concurrent adds write one row)."""
    result = await session.execute(
        insert_ignoring_duplicates(
            session,
            PlaylistCollaborator,
            id=uuid.uuid4(),
            playlist_id=playlist_id,
            user_id=user_id,
            permission=permission,
            created_at=now,
            updated_at=now,
        )
    )
    return rowcount(result) > 0


async def set_permission(
    session: AsyncSession, collaborator_id: uuid.UUID, permission: str, now: datetime
) -> None:
    await session.execute(
        update(PlaylistCollaborator)
        .where(PlaylistCollaborator.id == collaborator_id)
        .values(permission=permission, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def remove_collaborator(
    session: AsyncSession, playlist_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    result = await session.execute(
        delete(PlaylistCollaborator).where(
            PlaylistCollaborator.playlist_id == playlist_id,
            PlaylistCollaborator.user_id == user_id,
        )
    )
    return rowcount(result) > 0
