"""Share links: a token that opens one track (its page, stream, download, waveform and HLS
files) to whoever holds it.

Tokens are 256-bit random strings, given once and stored as SHA-256 digests. ``open_share`` is
the one validity rule, used by GET /tracks/shared/{token} and by the ``share_token`` of stream,
download, waveform and HLS: a link is valid while it is not revoked, not expired, its track not
deleted and its creator a readable account (not banned, deactivated or deleted). An unknown,
revoked or dead link is 404, an expired one 403. The permission (the contract's read / write /
admin) is recorded and shown; a link never grants a change to the track (see
docs/CONFORMANCE.md).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.kit.errors import ValidationFailed
from veza.kit.opaque_tokens import digest, new_opaque_token
from veza.models import Track, User, utcnow
from veza.models.engagement import TrackShare
from veza.tracks import repository, schemas, share_links
from veza.tracks.access import editable_track
from veza.tracks.errors import NotShareIssuer, ShareExpired, ShareNotFound
from veza.tracks.presenters import track_response

MAX_TOKEN_LENGTH = 200


async def open_share(session: AsyncSession, token: str) -> tuple[TrackShare, Track]:
    """The share link ``token`` names and the track it opens, if the link is valid (the module
    docstring says when); ShareNotFound or ShareExpired otherwise."""
    if not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        raise ShareNotFound()
    share = await share_links.share_by_token_hash(session, digest(token))
    if share is None or share.revoked_at is not None:
        raise ShareNotFound()
    track = await repository.get_shared(session, share.track_id)
    if track is None:
        raise ShareNotFound()
    if share.expires_at is not None and share.expires_at <= utcnow():
        raise ShareExpired()
    return share, track


async def track_opened_by(session: AsyncSession, track_id: uuid.UUID, token: str) -> Track | None:
    """The track ``track_id`` if ``token`` is a valid link of that very track, else None."""
    try:
        _, track = await open_share(session, token)
    except (ShareNotFound, ShareExpired):
        return None
    return track if track.id == track_id else None


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
    try:
        value = value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 9999-12-31T23:59:59-14:00 is past year 9999 in UTC
        raise ValidationFailed.field("expires_at", "is too far in the future", raw) from exc
    if value <= utcnow():
        raise ValidationFailed.field("expires_at", "must be in the future", raw)
    return value


def share_page_url(token: str, *, public_url: str, web_app_url: str) -> str:
    """The page a person opens: the web app's when it is configured, else the API's share view."""
    web_app = web_app_url.strip().rstrip("/")
    if web_app:
        return f"{web_app}/shared/{token}"
    return f"{public_url}/api/v1/tracks/shared/{token}"


def _view(share: TrackShare, url: str | None = None, token: str | None = None) -> schemas.ShareView:
    return schemas.ShareView(
        id=share.id,
        track_id=share.track_id,
        permissions=share.permissions,
        expires_at=share.expires_at,
        created_at=share.created_at,
        token=token,
        url=url,
    )


def _opened_with(url: str | None, token: str) -> str | None:
    """``url`` carrying the share token, so the holder can follow it as it is."""
    if url is None:
        return None
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'share_token': token})}"


async def create_share(
    session: AsyncSession,
    user: User,
    track_id: uuid.UUID,
    body: schemas.CreateShareRequest,
    *,
    public_url: str,
    web_app_url: str,
) -> schemas.ShareData:
    """The track's owner or an administrator (403 for others who can see it, 404 otherwise)."""
    track = await editable_track(session, track_id, user)
    expires_at = _expiry(body.expires_at)
    token = new_opaque_token()
    share = TrackShare(
        id=uuid.uuid4(),
        track_id=track.id,
        created_by=user.id,
        token_hash=digest(token),
        permissions=body.permissions,
        expires_at=expires_at,
        created_at=utcnow(),
    )
    share_links.add_share(session, share)
    await session.flush()
    await record(  # the share's id only: the token is a secret
        session,
        "track.share_created",
        user_id=user.id,
        resource="track",
        resource_id=track.id,
        details={"after": {"share_id": str(share.id), "permissions": share.permissions}},
    )
    url = share_page_url(token, public_url=public_url, web_app_url=web_app_url)
    return schemas.ShareData(share=_view(share, url, token))


async def resolve(session: AsyncSession, token: str, *, public_url: str) -> schemas.SharedTrackData:
    share, track = await open_share(session, token)
    # The holder sees the track as the public does (no private counters), with the links of
    # what the token opens carrying it.
    view: schemas.TrackResponse = track_response(track, public_url)
    view.waveform_url = _opened_with(view.waveform_url, token)
    view.stream_manifest_url = _opened_with(view.stream_manifest_url, token)
    return schemas.SharedTrackData(share=_view(share), track=view)


async def revoke(session: AsyncSession, user: User, share_id: uuid.UUID) -> schemas.MessageResponse:
    """By its issuer or an administrator; revoking twice is fine."""
    share = await share_links.get_share(session, share_id)
    if share is None:
        raise ShareNotFound()
    if share.created_by != user.id and not user.is_administrator:
        raise NotShareIssuer()
    await share_links.revoke_share(session, share.id, utcnow())
    await record(
        session,
        "track.share_revoked",
        user_id=user.id,
        resource="track",
        resource_id=share.track_id,
        details={"before": {"share_id": str(share.id)}},
    )
    return schemas.MessageResponse(message="Share link revoked")
