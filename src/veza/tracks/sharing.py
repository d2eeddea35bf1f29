"""Share links: a token that opens one track (its page, stream and download) to whoever holds it.

Tokens are 256-bit random strings, given once and stored as SHA-256 digests. A link of a
deleted track, a revoked link and an unknown token are all 404; an expired link is 403. The
permission (the contract's read / write / admin) is recorded and shown; a link never grants a
change to the track (see docs/CONFORMANCE.md).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import Forbidden, NotFound, ValidationFailed
from veza.models import User, utcnow
from veza.models.engagement import TrackShare
from veza.tracks import engagement_repository as repository
from veza.tracks import schemas
from veza.tracks.catalog import managed_track
from veza.tracks.dependencies import Media
from veza.tracks.repository import get_track, is_admin
from veza.tracks.service import share_token_hash, track_response
from veza.users.repository import get_user

TOKEN_BYTES = 32  # 256 bits
MAX_TOKEN_LENGTH = 200


class ShareNotFound(NotFound):
    code = "SHARE_NOT_FOUND"
    message = "Share link not found"


class ShareExpired(Forbidden):
    code = "SHARE_EXPIRED"
    message = "This share link has expired"


class NotShareIssuer(Forbidden):
    code = "NOT_SHARE_ISSUER"
    message = "Only the person who created a share link, or an administrator, can revoke it"


def _expiry(raw: str | None) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed.field("expires_at", "must be an RFC 3339 time", raw) from exc
    if value.tzinfo is None:
        raise ValidationFailed.field("expires_at", "must carry a time zone (e.g. Z)", raw)
    value = value.astimezone(UTC)
    if value <= utcnow():
        raise ValidationFailed.field("expires_at", "must be in the future", raw)
    return value


def _view(share: TrackShare, media: Media, token: str | None = None) -> schemas.ShareView:
    return schemas.ShareView(
        id=share.id,
        track_id=share.track_id,
        permissions=share.permissions,
        expires_at=share.expires_at,
        created_at=share.created_at,
        token=token,
        url=f"{media.settings.server.public_url}/api/v1/tracks/shared/{token}" if token else None,
    )


async def create_share(
    session: AsyncSession,
    media: Media,
    user: User,
    track_id: uuid.UUID,
    body: schemas.CreateShareRequest,
) -> schemas.ShareData:
    """The track's owner or an administrator (403 for others who can see it, 404 otherwise)."""
    track = await managed_track(session, track_id, user)
    expires_at = _expiry(body.expires_at)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    share = TrackShare(
        id=uuid.uuid4(),
        track_id=track.id,
        created_by=user.id,
        token_hash=share_token_hash(token),
        permissions=body.permissions,
        expires_at=expires_at,
        created_at=utcnow(),
    )
    repository.add_share(session, share)
    await session.flush()
    return schemas.ShareData(share=_view(share, media, token))


async def resolve(session: AsyncSession, media: Media, token: str) -> schemas.SharedTrackData:
    if not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        raise ShareNotFound()
    share = await repository.share_by_token_hash(session, share_token_hash(token))
    if share is None or share.revoked_at is not None:
        raise ShareNotFound()
    track = await get_track(session, share.track_id)
    creator = await get_user(session, track.creator_id) if track is not None else None
    if (
        track is None
        or track.deleted_at is not None
        or creator is None
        or creator.is_banned
        or not creator.is_active
    ):
        raise ShareNotFound()
    if share.expires_at is not None and share.expires_at <= utcnow():
        raise ShareExpired()
    # The holder sees the track as the public does (no private counters).
    return schemas.SharedTrackData(share=_view(share, media), track=track_response(track, media))


async def revoke(session: AsyncSession, user: User, share_id: uuid.UUID) -> schemas.MessageResponse:
    """By its issuer or an administrator; revoking twice is fine."""
    share = await repository.get_share(session, share_id)
    if share is None:
        raise ShareNotFound()
    if share.created_by != user.id and not is_admin(user):
        raise NotShareIssuer()
    await repository.revoke_share(session, share.id, utcnow())
    return schemas.MessageResponse(message="Share link revoked")
