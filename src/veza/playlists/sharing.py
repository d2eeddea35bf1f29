"""Share links: a read-only token that opens one playlist to whoever holds it, signed in or not.

Tokens are 256-bit random strings, given once and stored as SHA-256 digests. ``open_share`` is
the one validity rule: the link is not revoked, not expired, and the playlist's owner is a
readable account; anything else (an unknown token included) is 404. The holder sees the
playlist and the tracks anonymous listeners may read. Only the owner and administrators issue
and revoke links; the favourites playlist has none.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Database, after_commit, write_transaction
from veza.kit.errors import ValidationFailed
from veza.kit.opaque_tokens import digest, new_opaque_token
from veza.models import User, utcnow
from veza.models.playlist import Playlist, PlaylistShare
from veza.playlists import repository, schemas
from veza.playlists.access import managed_playlist
from veza.playlists.changes import SHARE_CREATED, SHARE_REVOKED, changed
from veza.playlists.dependencies import PlaylistTools
from veza.playlists.errors import FavoritesNotShared, ShareNotFound
from veza.playlists.service import full_response

MAX_TOKEN_LENGTH = 200


def _expiry(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValidationFailed.field("expires_at", "is too far in the future") from exc
    if moment <= utcnow():
        raise ValidationFailed.field("expires_at", "must be in the future", value.isoformat())
    return moment


def _page_url(token: str, tools: PlaylistTools) -> str:
    web_app = tools.web_app_url.strip().rstrip("/")
    if web_app:
        return f"{web_app}/playlists/shared/{token}"
    return f"{tools.public_url}/api/v1/playlists/shared/{token}"


def _view(
    share: PlaylistShare, *, token: str | None = None, url: str | None = None
) -> schemas.ShareView:
    return schemas.ShareView(
        id=share.id,
        playlist_id=share.playlist_id,
        expires_at=share.expires_at,
        created_at=share.created_at,
        token=token,
        url=url,
    )


async def create_share(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    body: schemas.CreateShareRequest | None,
    *,
    tools: PlaylistTools,
) -> schemas.ShareData:
    access = await managed_playlist(session, playlist_id, user)
    if access.playlist.is_default_favorites:
        raise FavoritesNotShared()
    token = new_opaque_token()
    share = PlaylistShare(
        id=uuid.uuid4(),
        playlist_id=access.playlist.id,
        token_hash=digest(token),
        created_by=user.id,
        created_at=utcnow(),
        expires_at=_expiry(body.expires_at if body is not None else None),
        open_count=0,
    )
    repository.add_share(session, share)
    await session.flush()
    await changed(
        session,
        tools,
        user,
        access.playlist.id,
        SHARE_CREATED,
        {"share_id": str(share.id)},
        publish=False,
    )
    return schemas.ShareData(share=_view(share, token=token, url=_page_url(token, tools)))


async def open_share(session: AsyncSession, token: str) -> tuple[PlaylistShare, Playlist]:
    """The link ``token`` names and its playlist, if the link is valid (see the module
    docstring); ShareNotFound otherwise."""
    if not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        raise ShareNotFound()
    share = await repository.share_by_token_hash(session, digest(token))
    if share is None or share.revoked_at is not None:
        raise ShareNotFound()
    if share.expires_at is not None and share.expires_at <= utcnow():
        raise ShareNotFound()
    playlist = await repository.get_readable_of_owner(session, share.playlist_id)
    if playlist is None:
        raise ShareNotFound()
    return share, playlist


async def _count_open(database: Database, share_id: uuid.UUID) -> None:
    async with write_transaction(database) as writer:
        await repository.count_open(writer, share_id)


async def resolve(
    session: AsyncSession, token: str, *, tools: PlaylistTools
) -> schemas.SharedPlaylistData:
    share, playlist = await open_share(session, token)
    # GET runs in a read transaction: the open is counted in a write of its own, once the
    # read is over.
    after_commit(session, partial(_count_open, tools.database, share.id))
    return schemas.SharedPlaylistData(
        playlist=await full_response(session, playlist, None, tools.public_url)
    )


async def revoke_share(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    share_id: uuid.UUID,
    *,
    tools: PlaylistTools,
) -> schemas.Message:
    """Owner and administrators; revoking twice is fine."""
    access = await managed_playlist(session, playlist_id, user)
    share = await repository.get_share(session, access.playlist.id, share_id)
    if share is None:
        raise ShareNotFound()
    await repository.revoke_share(session, share.id, utcnow())
    await changed(
        session,
        tools,
        user,
        access.playlist.id,
        SHARE_REVOKED,
        {"share_id": str(share.id)},
        publish=False,
    )
    return schemas.Message(message="Share link revoked")
