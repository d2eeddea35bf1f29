"""The storage quota: bytes every version of a user's tracks keeps and the files processing
derived from them (waveforms, HLS, covers), plus what unfinished chunked uploads announced.
Administrators have none.

A new file is checked with its derived files' estimate (``derived_estimate``): a small file of
a long silence makes megabytes of HLS, which must fit too.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.config import MediaSettings
from veza.kit.errors import ValidationFailed
from veza.media.audio import AudioInfo, expected_output_bytes
from veza.models import User, utcnow
from veza.tracks import repository as tracks
from veza.uploads import repository, schemas
from veza.uploads.dependencies import UploadTools
from veza.uploads.errors import NotYourQuota, QuotaExceeded, QuotaUserNotFound
from veza.users.repository import get_any_user


def derived_estimate(limits: MediaSettings, info: AudioInfo) -> int:
    """The bytes processing will derive from this audio (replaced by the bytes it stored once
    it has)."""
    bitrates = limits.hls_bitrates_kbps if limits.hls_enabled else []
    return expected_output_bytes(info.duration_seconds, bitrates)


async def check_quota(session: AsyncSession, tools: UploadTools, user: User, incoming: int) -> None:
    """QuotaExceeded (403) when ``incoming`` more bytes would not fit."""
    if user.is_administrator:
        return
    used = await tracks.stored_bytes(session, user.id)
    reserved = await repository.reserved_bytes(session, user.id, utcnow())
    if used.total + reserved + incoming > tools.limits.user_quota_bytes:
        raise QuotaExceeded()


async def _quota_owner(session: AsyncSession, caller: User, target: str) -> User:
    if target == "me" or target == str(caller.id):
        return caller
    if not caller.is_administrator:
        raise NotYourQuota()
    try:
        target_id = uuid.UUID(target)
    except ValueError as exc:
        raise ValidationFailed.field("id", "must be a user id or 'me'", target) from exc
    found = await get_any_user(session, target_id)
    if found is None:
        raise QuotaUserNotFound()
    return found


async def quota_for(
    session: AsyncSession, caller: User, target: str, *, tools: UploadTools
) -> schemas.QuotaResponse:
    user = await _quota_owner(session, caller, target)
    stored = await tracks.stored_bytes(session, user.id)
    reserved = await repository.reserved_bytes(session, user.id, utcnow())
    count = await tracks.track_count(session, user.id)
    used = stored.total
    if user.is_administrator:
        quota = schemas.Quota(
            user_id=user.id,
            used=used,
            derived=stored.derived,
            reserved=reserved,
            track_count=count,
            unlimited=True,
        )
        return schemas.QuotaResponse(quota=quota)
    limit = tools.limits.user_quota_bytes
    quota = schemas.Quota(
        user_id=user.id,
        used=used,
        derived=stored.derived,
        limit=limit,
        remaining=max(0, limit - used - reserved),
        reserved=reserved,
        track_count=count,
        unlimited=False,
    )
    return schemas.QuotaResponse(quota=quota)
