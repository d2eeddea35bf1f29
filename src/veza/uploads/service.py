"""Rules of uploads: a single multipart upload, and making a track or a version from any
received file (what chunked uploads end with too).

The file is received outside any transaction (``receive``), recognised by its content only
(magic bytes, then a real probe, which also bounds its duration), counted against the quota
with what processing will derive from it, stored durably, and only then does the track row
appear; processing is queued after the commit (media, by job name, on the
TRACK_AUDIO_CHANGED event). A stored file whose row is not written is removed at once.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.config import MediaSettings
from veza.kit import events
from veza.kit.errors import ValidationFailed
from veza.kit.validation import validation_details
from veza.media.audio import AudioInfo, UnsupportedAudio, check_duration, probe, sniff_format
from veza.models import User
from veza.models.track import STREAM_PENDING, Track, TrackVersion
from veza.tracks import keys
from veza.tracks import schemas as track_schemas
from veza.tracks.presenters import track_response
from veza.tracks.repository import add_history
from veza.tracks.taxonomy import title_from_filename
from veza.tracks.versions import make_current
from veza.uploads.dependencies import UploadTools
from veza.uploads.quota import check_quota, derived_estimate
from veza.uploads.receiver import IncomingBody, ReceivedFile, ReceivedForm, receive_form

ACCEPTED_FORMATS = "mp3, flac, wav, ogg (Vorbis, Opus), m4a/aac"


def validated_metadata(values: dict[str, Any]) -> track_schemas.TrackMetadataFields:
    """Upload metadata checked and normalised by the rules PUT /tracks/{id} applies; a bad
    value is 400 naming the field."""
    try:
        return track_schemas.TrackMetadataFields.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(details=validation_details(exc.errors())) from exc


def _metadata_from_form(fields: dict[str, str]) -> track_schemas.TrackMetadataFields:
    values: dict[str, Any] = {k: v for k, v in fields.items() if v != ""}
    if "tags" in values:
        values["tags"] = values["tags"].split(",")
    return validated_metadata(values)


async def inspect(
    limits: MediaSettings, path: Path, head: bytes, size: int, field: str = "file"
) -> AudioInfo:
    """What the file is, by its content only: magic bytes, then a real probe; audio longer
    than the limit is refused here too."""
    if size == 0:
        raise ValidationFailed.field(field, "the file is empty")
    sniffed = sniff_format(head)
    if sniffed is None:
        raise ValidationFailed.field(
            field, f"unsupported file type: accepted formats are {ACCEPTED_FORMATS}"
        )
    try:
        info = await asyncio.to_thread(probe, path, sniffed)
        check_duration(info, limits.max_duration_seconds)
    except UnsupportedAudio as exc:
        raise ValidationFailed.field(field, str(exc)) from exc
    return info


async def store_version(
    session: AsyncSession,
    tools: UploadTools,
    track: Track,
    received: ReceivedFile,
    info: AudioInfo,
    number: int,
    user: User,
) -> TrackVersion:
    """Store the received file durably as the track's version ``number``."""
    key = keys.audio_file(track.creator_id, track.id, number, info.format)
    await tools.storage.put_file(key, received.path, content_type=info.mime_type, durable=True)
    version = TrackVersion(
        id=uuid.uuid4(),
        track_id=track.id,
        version_number=number,
        file_path=key,
        file_size=received.size,
        md5=received.md5,
        original_filename=received.filename[:255] or None,
        format=info.format,
        codec=info.codec,
        mime_type=info.mime_type,
        duration=info.duration,
        bitrate=info.bitrate_kbps,
        sample_rate=info.sample_rate,
        channels=info.channels,
        created_by=user.id,
    )
    session.add(version)
    return version


async def create_track(
    session: AsyncSession,
    tools: UploadTools,
    user: User,
    received: ReceivedFile,
    metadata: track_schemas.TrackMetadataFields,
    info: AudioInfo,
) -> Track:
    derived = derived_estimate(tools.limits, info)
    await check_quota(session, tools, user, received.size + derived)
    track = Track(
        id=uuid.uuid4(),
        creator_id=user.id,
        title=metadata.title or title_from_filename(received.filename),
        artist=metadata.artist,
        album=metadata.album,
        genre=metadata.genre,
        year=metadata.year,
        bpm=metadata.bpm,
        musical_key=metadata.musical_key,
        tags=metadata.tags,
        is_public=True if metadata.is_public is None else metadata.is_public,
        stream_status=STREAM_PENDING,
        processing_generation=0,
        # Counted until processing records what it really made, so that several uploads
        # at once cannot each pass the quota check with the others' outputs left out.
        derived_bytes=derived,
    )
    session.add(track)
    await session.flush()
    version = await store_version(session, tools, track, received, info, 1, user)
    try:
        await make_current(session, track, version)
        add_history(
            session,
            track.id,
            "created",
            user_id=user.id,
            changes={"version_id": str(version.id), "file_size": version.file_size},
        )
        await session.flush()
        await record(
            session,
            "track.create",
            user_id=user.id,
            resource="track",
            resource_id=track.id,
            details={"after": {"title": track.title, "is_public": track.is_public}},
        )
        await events.publish(session, events.TRACK_UPLOADED, track_id=track.id, creator_id=user.id)
    except BaseException:
        await tools.storage.delete(version.file_path)
        raise
    return track


async def receive(
    session: AsyncSession, tools: UploadTools, body: IncomingBody, file_field: str, limit: int
) -> ReceivedForm:
    """Receive a multipart upload outside any transaction: authentication's read transaction
    ends first (one of the deliberate commits inside a request: see docs/ARCHITECTURE.md), so a
    long upload holds neither a database connection nor SQLite's lock."""
    await session.commit()
    return await receive_form(
        body,
        file_fields=frozenset({file_field}),
        new_path=tools.storage.new_staging_path,
        max_file_bytes=limit,
        precedence=tools.precedence,
    )


async def upload_track(
    session: AsyncSession, user: User, body: IncomingBody, *, tools: UploadTools, public_url: str
) -> track_schemas.TrackEnvelopeData:
    form = await receive(session, tools, body, "file", tools.limits.max_file_bytes)
    try:
        received = form.files.get("file")
        if received is None:
            raise ValidationFailed.field("file", "field required")
        metadata = _metadata_from_form(form.fields)
        info = await inspect(tools.limits, received.path, received.head, received.size)
        track = await create_track(session, tools, user, received, metadata, info)
    finally:
        form.discard()
    return track_schemas.TrackEnvelopeData(track=track_response(track, public_url))
