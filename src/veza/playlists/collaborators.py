"""A playlist's collaborators: list, add (idempotent, notified), change a permission (the
owner's decision), remove (or leave)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.models import User, utcnow
from veza.models.playlist import PERMISSION_ADMIN
from veza.notifications import service as notifications
from veza.playlists import collaborator_queries, schemas
from veza.playlists.access import collaborator_manager, readable_playlist
from veza.playlists.changes import (
    COLLABORATOR_ADDED,
    COLLABORATOR_REMOVED,
    COLLABORATOR_UPDATED,
    changed,
)
from veza.playlists.dependencies import PlaylistTools
from veza.playlists.errors import (
    CannotManageCollaborators,
    CollaboratorNotFound,
    OnlyOwnerSetsPermissions,
)
from veza.playlists.items import locked
from veza.playlists.presenters import collaborator_response
from veza.users.access import UserNotFound, visible_user
from veza.users.repository import blocked_either_way

PLAYLIST = "playlist"


async def list_collaborators(
    session: AsyncSession, user: User, playlist_id: uuid.UUID
) -> schemas.CollaboratorList:
    """Whoever may read the playlist; collaborators hidden from the caller are left out."""
    access = await readable_playlist(session, playlist_id, user)
    rows = await collaborator_queries.collaborators(session, [access.playlist.id], user)
    return schemas.CollaboratorList(collaborators=[collaborator_response(row) for row in rows])


async def _response(
    session: AsyncSession, playlist_id: uuid.UUID, user_id: uuid.UUID
) -> schemas.CollaboratorData:
    row = await collaborator_queries.collaborator_row(session, playlist_id, user_id)
    assert row is not None
    return schemas.CollaboratorData(collaborator=collaborator_response(row))


async def add_collaborator(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    body: schemas.AddCollaboratorRequest,
    *,
    tools: PlaylistTools,
) -> schemas.CollaboratorData:
    """Owner, administrators and admin collaborators; granting ``admin`` is the owner's (and
    administrators') alone. The user must exist and have no block with the caller or the
    owner (404 otherwise). Adding someone already there changes nothing (their permission is
    changed with PUT)."""
    access = await collaborator_manager(session, playlist_id, user)
    playlist = access.playlist
    if body.permission == PERMISSION_ADMIN and not access.manages:
        raise OnlyOwnerSetsPermissions()
    invitee = await visible_user(session, user, body.user_id)
    if invitee.id == playlist.user_id:
        raise ValidationFailed.field("user_id", "is the playlist's owner", str(body.user_id))
    for other in {user.id, playlist.user_id} - {invitee.id}:
        if await blocked_either_way(session, other, invitee.id):
            raise UserNotFound()
    if await collaborator_queries.get_collaborator(session, playlist.id, invitee.id) is None:
        await locked(session, playlist.id, None)
        if await collaborator_queries.add_collaborator(
            session, playlist.id, invitee.id, body.permission, utcnow()
        ):
            await notifications.notify(
                session,
                invitee.id,
                user.id,
                notifications.PLAYLIST_COLLABORATOR,
                PLAYLIST,
                playlist.id,
            )
            details = {"user_id": str(invitee.id), "permission": body.permission}
            await changed(session, tools, user, playlist.id, COLLABORATOR_ADDED, details)
    return await _response(session, playlist.id, invitee.id)


async def update_collaborator(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    user_id: uuid.UUID,
    body: schemas.UpdateCollaboratorPermissionRequest,
    *,
    tools: PlaylistTools,
) -> schemas.CollaboratorData:
    """The owner (and administrators) only."""
    access = await readable_playlist(session, playlist_id, user)
    if not access.manages:
        raise OnlyOwnerSetsPermissions()
    collaborator = await collaborator_queries.get_collaborator(session, access.playlist.id, user_id)
    if collaborator is None:
        raise CollaboratorNotFound()
    if collaborator.permission != body.permission:
        await locked(session, access.playlist.id, None)
        await collaborator_queries.set_permission(
            session, collaborator.id, body.permission, utcnow()
        )
        details = {"user_id": str(user_id), "permission": body.permission}
        await changed(session, tools, user, access.playlist.id, COLLABORATOR_UPDATED, details)
    return await _response(session, access.playlist.id, user_id)


async def remove_collaborator(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    tools: PlaylistTools,
) -> schemas.Message:
    """Owner, administrators and admin collaborators; any collaborator may leave."""
    access = await readable_playlist(session, playlist_id, user)
    if user_id != user.id and not access.manages_collaborators:
        raise CannotManageCollaborators()
    await locked(session, access.playlist.id, None)
    if not await collaborator_queries.remove_collaborator(session, access.playlist.id, user_id):
        raise CollaboratorNotFound()
    details = {"user_id": str(user_id)}
    await changed(session, tools, user, access.playlist.id, COLLABORATOR_REMOVED, details)
    return schemas.Message(message="Collaborator removed")
