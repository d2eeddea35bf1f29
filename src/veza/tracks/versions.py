"""A track's audio versions: which one is current, listing them, restoring an earlier one.

Making a version current copies its file fields onto the track, retires the files derived from
the audio it replaces, and announces TRACK_AUDIO_CHANGED (the media domain queues processing
after the commit) and TRACK_CHANGED (caches forget the track). Uploading a new version is the
uploads domain's; it ends here too (``switch_to_version``).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.kit import events
from veza.kit.files import forget
from veza.models import User
from veza.models.track import (
    STREAM_PENDING,
    TRACK_PROCESSING,
    Track,
    TrackVersion,
    copy_audio_fields,
)
from veza.tracks import repository, schemas
from veza.tracks.access import owned_track, private_track_view
from veza.tracks.errors import VersionNotFound
from veza.tracks.presenters import track_response


def version_response(version: TrackVersion, track: Track) -> schemas.VersionResponse:
    response = schemas.VersionResponse.model_validate(version)
    response.is_current = version.id == track.file_id
    return response


async def make_current(session: AsyncSession, track: Track, version: TrackVersion) -> None:
    """``version`` becomes the track's audio, to be processed afresh (a new generation, so a
    job still working on the previous audio knows its results are stale)."""
    track.file_id = version.id
    copy_audio_fields(version, track)
    track.version_number = version.version_number
    track.status = TRACK_PROCESSING
    track.status_message = None
    track.processing_stage = "queued"
    track.processing_progress = 0
    track.processing_generation = (track.processing_generation or 0) + 1
    track.processing_attempts = 0
    track.processing_started_at = None
    await events.publish(
        session,
        events.TRACK_AUDIO_CHANGED,
        track_id=track.id,
        generation=track.processing_generation,
    )


def _retire_derived_files(session: AsyncSession, track: Track) -> None:
    """The waveform and HLS files of the audio being replaced go to the outbox (the cover
    stays: it is the track's, whichever audio it has)."""
    if track.waveform_path:
        forget(session, track.waveform_path)
    if track.hls_path:
        forget(session, track.hls_path, prefix=True)
    track.waveform_path = None
    track.hls_path = None
    track.stream_status = STREAM_PENDING
    track.stream_manifest_url = None


async def switch_to_version(
    session: AsyncSession, user: User, track: Track, version: TrackVersion, action: str
) -> None:
    """Make ``version`` the track's audio (a new upload or a restore), with a history entry
    saying which version replaced which."""
    previous = track.file_id
    _retire_derived_files(session, track)
    await make_current(session, track, version)
    await events.publish(session, events.TRACK_CHANGED, track_id=track.id)
    repository.add_history(
        session,
        track.id,
        action,
        user_id=user.id,
        changes={
            "version_id": str(version.id),
            "version_number": version.version_number,
            "previous_version_id": str(previous) if previous else None,
        },
    )
    await record(
        session,
        f"track.{action}",
        user_id=user.id,
        resource="track",
        resource_id=track.id,
        details={
            "before": {"version_id": str(previous) if previous else None},
            "after": {"version_id": str(version.id), "version_number": version.version_number},
        },
    )
    await session.flush()


async def list_versions(
    session: AsyncSession, user: User, track_id: uuid.UUID
) -> schemas.VersionListResponse:
    track = await private_track_view(session, track_id, user)
    versions = await repository.list_versions(session, track.id)
    return schemas.VersionListResponse(versions=[version_response(v, track) for v in versions])


async def restore_version(
    session: AsyncSession,
    user: User,
    track_id: uuid.UUID,
    version_id: uuid.UUID,
    *,
    public_url: str,
) -> schemas.RestoreResponse:
    track = await owned_track(session, track_id, user)
    version = await repository.get_version(session, track.id, version_id)
    if version is None:
        raise VersionNotFound()
    if version.id == track.file_id:
        return schemas.RestoreResponse(
            message="This version is already the current one",
            track=track_response(track, public_url),
        )
    await switch_to_version(session, user, track, version, "version_restored")
    return schemas.RestoreResponse(
        message=f"Version {version.version_number} restored",
        track=track_response(track, public_url),
    )
