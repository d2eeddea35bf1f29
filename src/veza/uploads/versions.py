"""POST /tracks/{id}/versions: a completed chunk set becomes the track's new audio; the previous
file stays a version the owner may restore (tracks/versions.py)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.tracks.access import owned_track
from veza.tracks.presenters import track_response
from veza.tracks.repository import next_version_number
from veza.tracks.versions import switch_to_version, version_response
from veza.uploads import schemas
from veza.uploads.chunked import claim_and_assemble, finish_upload
from veza.uploads.dependencies import UploadTools
from veza.uploads.quota import check_quota, derived_estimate
from veza.uploads.service import store_version


async def upload_version(
    session: AsyncSession,
    user: User,
    track_id: uuid.UUID,
    body: schemas.NewVersionRequest,
    *,
    tools: UploadTools,
    public_url: str,
) -> schemas.NewVersionResponse:
    track = await owned_track(session, track_id, user)
    upload, received, info = await claim_and_assemble(session, tools, user, body.upload_id)
    try:
        # The session's reservation is released by the claim; the file now counts as stored,
        # and what processing will derive from it must fit too (the previous audio's derived
        # files count until processing replaces them).
        await check_quota(
            session, tools, user, received.size + derived_estimate(tools.limits, info)
        )
        number = await next_version_number(session, track.id)
        version = await store_version(session, tools, track, received, info, number, user)
    finally:
        received.discard()
    finish_upload(session, tools, upload, track, received.md5)
    await switch_to_version(session, user, track, version, "version_uploaded")
    return schemas.NewVersionResponse(
        message="New version uploaded",
        version=version_response(version, track),
        track=track_response(track, public_url),
    )
