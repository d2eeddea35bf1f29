"""The storage quota: bytes every version of a user's tracks keeps, plus what unfinished chunked
uploads announced. Administrators have none."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.models import User, utcnow
from veza.tracks import repository as tracks
from veza.uploads import repository, schemas
from veza.uploads.dependencies import UploadTools
from veza.uploads.errors import NotYourQuota, QuotaExceeded, QuotaUserNotFound
from veza.users.repository import get_any_user


async def check_quota(session: AsyncSession, tools: UploadTools, user: User, incoming: int) -> None:
    """QuotaExceeded (403) when ``incoming`` more bytes would not fit."""
    if user.is_administrator:
        return
    used = await tracks.stored_bytes(session, user.id)
    reserved = await repository.reserved_bytes(session, user.id, utcnow())
    if used + reserved + incoming > tools.limits.user_quota_bytes:
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
    used = await tracks.stored_bytes(session, user.id)
    reserved = await repository.reserved_bytes(session, user.id, utcnow())
    count = await tracks.track_count(session, user.id)
    if user.is_administrator:
        quota = schemas.Quota(
            user_id=user.id, used=used, reserved=reserved, track_count=count, unlimited=True
        )
        return schemas.QuotaResponse(quota=quota)
    limit = tools.limits.user_quota_bytes
    quota = schemas.Quota(
        user_id=user.id,
        used=used,
        limit=limit,
        remaining=max(0, limit - used - reserved),
        reserved=reserved,
        track_count=count,
        unlimited=False,
    )
    return schemas.QuotaResponse(quota=quota)
