"""Rules of processing: queueing it (by job name, after the commit), its status, and the
stream server's callback.

Processing itself is media/pipeline.py, run by the job declared in media/tasks.py; nothing
imports that module but veza/registry.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.kit.jobs import enqueue_after_commit
from veza.media import schemas
from veza.models import User
from veza.models.track import STREAM_ERROR, STREAM_PROCESSING, STREAM_READY
from veza.tracks.access import private_track_view
from veza.tracks.repository import add_history, get_track
from veza.tracks.schemas import MessageResponse

PROCESS_TRACK = "tracks.process"

_CALLBACK_STATUS = {
    "completed": STREAM_READY,
    "failed": STREAM_ERROR,
    "processing": STREAM_PROCESSING,
}


def processing_job_id(track_id: uuid.UUID, generation: int) -> str:
    # One job per (track, audio generation): a duplicate enqueue of the same work is dropped.
    return f"{PROCESS_TRACK}:{track_id}:{generation}"


def enqueue_processing(session: AsyncSession, track_id: uuid.UUID, generation: int) -> None:
    """Process this generation of the track's audio once the transaction has committed."""
    enqueue_after_commit(
        session,
        PROCESS_TRACK,
        str(track_id),
        generation,
        job_id=processing_job_id(track_id, generation),
    )


async def track_status(
    session: AsyncSession, user: User, track_id: uuid.UUID
) -> schemas.TrackStatusResponse:
    track = await private_track_view(session, track_id, user)
    progress = 100 if track.status == "completed" else track.processing_progress
    return schemas.TrackStatusResponse(
        track_id=track.id,
        status=track.status,
        stage=track.processing_stage,
        progress=progress,
        status_message=track.status_message,
        stream_status=track.stream_status,
    )


def _checked_manifest(body: schemas.StreamCallbackRequest) -> str | None:
    manifest = (body.manifest_url or "").strip() or None
    if body.status == "completed":
        if manifest is None:
            raise ValidationFailed.field("manifest_url", "required when status is completed")
        if not (manifest.startswith(("https://", "http://", "/"))) or len(manifest) > 2048:
            raise ValidationFailed.field(
                "manifest_url", "must be an http(s) URL or an absolute path", manifest
            )
    return manifest


async def stream_ready(
    session: AsyncSession, track_id: uuid.UUID, body: schemas.StreamCallbackRequest
) -> MessageResponse:
    track = await get_track(session, track_id, for_update=True)
    if track is None:
        # The contract lists no 404 here: an unknown track is an invalid id for the caller.
        raise ValidationFailed(
            "Track not found",
            code="TRACK_NOT_FOUND",
            details=[{"field": "id", "message": "unknown track", "value": str(track_id)}],
        )
    manifest = _checked_manifest(body)
    new_status = _CALLBACK_STATUS[body.status]
    changes: dict[str, Any] = {"stream_status": [track.stream_status, new_status]}
    track.stream_status = new_status
    if body.status == "completed":
        changes["stream_manifest_url"] = [track.stream_manifest_url, manifest]
        track.stream_manifest_url = manifest
    if body.status == "failed" and body.error:
        changes["error"] = body.error[:500]
    add_history(session, track.id, "stream_status_changed", user_id=None, changes=changes)
    await session.flush()
    return MessageResponse(message="Stream status updated")
