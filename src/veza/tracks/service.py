"""Rules of the tracks domain: uploads (single and chunked), quota, versions, history, playback.

Services flush, never commit; jobs are enqueued after the commit (``after_commit``). Files are
written to storage before the commit (a rolled-back request leaves its file to the sweeper's
outbox, see ``forget_files``), and removed only after the commit that orphaned them.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import structlog
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from veza.auth.dependencies import authenticate_token
from veza.kit import events
from veza.kit.db import after_commit
from veza.kit.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    RangeNotSatisfiable,
    ValidationFailed,
)
from veza.kit.handlers import validation_details
from veza.kit.storage import (
    ObjectInfo,
    ObjectNotFound,
    Storage,
    content_disposition,
    validate_key,
)
from veza.kit.tokens import STREAM_AUDIENCE, STREAM_TOKEN_TYPE
from veza.models import User
from veza.models.track import (
    STREAM_ERROR,
    STREAM_PENDING,
    STREAM_PROCESSING,
    STREAM_READY,
    TRACK_PROCESSING,
    UPLOAD_ACTIVE,
    UPLOAD_ASSEMBLING,
    UPLOAD_COMPLETED,
    StorageDeletion,
    Track,
    TrackVersion,
    UploadSession,
)
from veza.tracks import engagement_repository, repository, schemas
from veza.tracks.audio import AudioInfo, UnsupportedAudio, probe, sniff_format
from veza.tracks.dependencies import Media
from veza.tracks.streaming import (
    FileRangeResponse,
    PlayableFile,
    RangeNotSatisfiableError,
    accel_redirect_uri,
    not_modified,
    parse_range,
    range_applies,
    representation_headers,
    validators,
)
from veza.tracks.tasks import enqueue_processing
from veza.tracks.uploads import ReceivedFile, ReceivedForm, receive_form

log = structlog.get_logger("veza.tracks")

ACCEPTED_FORMATS = "mp3, flac, wav, ogg (Vorbis, Opus), m4a/aac"
HLS_CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".aac": "audio/aac",
    ".m4s": "audio/mp4",
    ".mp4": "audio/mp4",
}


TrackView = TypeVar("TrackView", bound=schemas.TrackResponse)


class TrackNotFound(NotFound):
    code = "TRACK_NOT_FOUND"
    message = "Track not found"


class QuotaExceeded(Forbidden):
    code = "QUOTA_EXCEEDED"
    message = "Quota exceeded"


class UploadNotFound(NotFound):
    code = "UPLOAD_NOT_FOUND"
    message = "Upload session not found"


def now() -> datetime:
    return datetime.now(UTC)


# Responses -----------------------------------------------------------------------------------


def sees_counts(track: Track, viewer: User | None) -> bool:
    """Play and like totals are the creator's and administrators' business only."""
    return viewer is not None and (viewer.id == track.creator_id or repository.is_admin(viewer))


def track_response(
    track: Track,
    media: Media,
    viewer: User | None = None,
    model: type[TrackView] = schemas.TrackResponse,  # type: ignore[assignment]
) -> TrackView:
    """The Track as ``viewer`` may see it: play_count and like_count only for its creator and
    administrators (omitted for everyone else)."""
    response = model.model_validate(track)
    if track.waveform_path:
        response.waveform_url = (
            f"{media.settings.server.public_url}/api/v1/tracks/{track.id}/waveform"
        )
    if not sees_counts(track, viewer):
        response.play_count = None
        response.like_count = None
    return response


# Hooks for the later issues ------------------------------------------------------------------


def share_token_hash(token: str) -> str:
    """Share tokens are stored as their SHA-256 (a leaked table opens nothing)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def share_token_grants_access(session: AsyncSession, track: Track, share_token: str) -> bool:
    """Whether ``share_token`` opens ``track`` (stream and download of that track only): a
    link of this very track, not revoked, not expired, the track not deleted."""
    if track.deleted_at is not None or not share_token or len(share_token) > 200:
        return False
    share = await engagement_repository.share_by_token_hash(session, share_token_hash(share_token))
    return (
        share is not None
        and share.track_id == track.id
        and share.revoked_at is None
        and (share.expires_at is None or share.expires_at > now())
    )


async def download_license_granted(
    session: AsyncSession, track: Track, viewer: User | None
) -> bool:
    """Whether ``viewer`` may download ``track`` as far as the marketplace is concerned.

    The marketplace issue plugs in here: a track sold as a product needs a license the viewer
    bought (the creator and administrators are always allowed). Until then nothing is for sale.
    """
    return True


# Quota ---------------------------------------------------------------------------------------


async def _check_quota(session: AsyncSession, media: Media, user: User, incoming: int) -> None:
    if repository.is_admin(user):
        return
    used = await repository.stored_bytes(session, user.id)
    reserved = await repository.reserved_bytes(session, user.id, now())
    if used + reserved + incoming > media.settings.media.user_quota_bytes:
        raise QuotaExceeded()


async def quota_for(
    session: AsyncSession, media: Media, caller: User, target: str
) -> schemas.Quota:
    user = caller
    if target != "me" and target != str(caller.id):
        if not repository.is_admin(caller):
            raise Forbidden("You may only see your own quota")
        try:
            target_id = uuid.UUID(target)
        except ValueError as exc:
            raise ValidationFailed.field("id", "must be a user id or 'me'", target) from exc
        found = await session.get(User, target_id)
        if found is None:
            raise NotFound("User not found", code="USER_NOT_FOUND")
        user = found
    used = await repository.stored_bytes(session, user.id)
    reserved = await repository.reserved_bytes(session, user.id, now())
    count = await repository.track_count(session, user.id)
    if repository.is_admin(user):
        return schemas.Quota(
            user_id=user.id, used=used, reserved=reserved, track_count=count, unlimited=True
        )
    limit = media.settings.media.user_quota_bytes
    return schemas.Quota(
        user_id=user.id,
        used=used,
        limit=limit,
        remaining=max(0, limit - used - reserved),
        reserved=reserved,
        track_count=count,
        unlimited=False,
    )


# Creating tracks and versions from a received file -------------------------------------------


def _validated_metadata(values: dict[str, Any]) -> schemas.TrackMetadataFields:
    """Upload metadata checked and normalised by the rules PUT /tracks/{id} applies; a bad
    value is 400 naming the field."""
    try:
        return schemas.TrackMetadataFields.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(details=validation_details(exc.errors())) from exc


def _metadata_from_form(fields: dict[str, str]) -> schemas.TrackMetadataFields:
    values: dict[str, Any] = {k: v for k, v in fields.items() if v != ""}
    if "tags" in values:
        values["tags"] = values["tags"].split(",")
    return _validated_metadata(values)


async def _inspect(path: Path, head: bytes, size: int, field: str = "file") -> AudioInfo:
    """What the file is, by its content only: magic bytes, then a real probe."""
    if size == 0:
        raise ValidationFailed.field(field, "the file is empty")
    sniffed = sniff_format(head)
    if sniffed is None:
        raise ValidationFailed.field(
            field, f"unsupported file type: accepted formats are {ACCEPTED_FORMATS}"
        )
    try:
        return await asyncio.to_thread(probe, path, sniffed)
    except UnsupportedAudio as exc:
        raise ValidationFailed.field(field, str(exc)) from exc


def _audio_key(creator_id: uuid.UUID, track_id: uuid.UUID, version: int, fmt: str) -> str:
    return f"tracks/{creator_id}/{track_id}/v{version}-{uuid.uuid4().hex[:12]}.{fmt}"


def _default_title(filename: str) -> str:
    stem = PurePosixPath(filename.replace("\\", "/")).stem.strip()
    return (stem or "Untitled")[:255]


def _apply_file(track: Track, version: TrackVersion) -> None:
    """Make ``version`` the track's current audio and start processing it afresh."""
    track.file_id = version.id
    track.file_path = version.file_path
    track.file_size = version.file_size
    track.md5 = version.md5
    track.original_filename = version.original_filename
    track.format = version.format
    track.codec = version.codec
    track.mime_type = version.mime_type
    track.duration = version.duration
    track.bitrate = version.bitrate
    track.sample_rate = version.sample_rate
    track.channels = version.channels
    track.version_number = version.version_number
    track.status = TRACK_PROCESSING
    track.status_message = None
    track.processing_stage = "queued"
    track.processing_progress = 0
    track.processing_generation = (track.processing_generation or 0) + 1
    track.processing_attempts = 0
    track.processing_started_at = None


async def _store_version(
    session: AsyncSession,
    media: Media,
    track: Track,
    received: ReceivedFile,
    info: AudioInfo,
    number: int,
    user: User,
) -> TrackVersion:
    key = _audio_key(track.creator_id, track.id, number, info.format)
    await media.storage.put_file(key, received.path, content_type=info.mime_type, durable=True)
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


async def _create_track(
    session: AsyncSession,
    media: Media,
    user: User,
    received: ReceivedFile,
    metadata: schemas.TrackMetadataFields,
    info: AudioInfo,
) -> Track:
    await _check_quota(session, media, user, received.size)
    track = Track(
        id=uuid.uuid4(),
        creator_id=user.id,
        title=metadata.title or _default_title(received.filename),
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
    )
    session.add(track)
    await session.flush()
    version = await _store_version(session, media, track, received, info, 1, user)
    try:
        _apply_file(track, version)
        repository.add_history(
            session,
            track.id,
            "created",
            user_id=user.id,
            changes={"version_id": str(version.id), "file_size": version.file_size},
        )
        await session.flush()
    except BaseException:
        await media.storage.delete(version.file_path)
        raise
    _enqueue_after_commit(session, media, track)
    return track


def _enqueue_after_commit(session: AsyncSession, media: Media, track: Track) -> None:
    track_id, generation = track.id, track.processing_generation

    async def _enqueue() -> None:
        await enqueue_processing(media.jobs, track_id, generation)

    after_commit(session, _enqueue)


async def _receive(
    session: AsyncSession, media: Media, request: Request, file_field: str, limit: int
) -> ReceivedForm:
    """Receive a multipart upload outside any transaction: authentication's read transaction
    ends first, so a long upload holds neither a database connection nor SQLite's lock."""
    await session.commit()
    return await receive_form(
        request,
        file_fields=frozenset({file_field}),
        new_path=media.storage.new_staging_path,
        max_file_bytes=limit,
    )


async def upload_track(
    session: AsyncSession, media: Media, user: User, request: Request
) -> schemas.TrackEnvelopeData:
    form = await _receive(session, media, request, "file", media.settings.media.max_file_bytes)
    try:
        received = form.files.get("file")
        if received is None:
            raise ValidationFailed.field("file", "field required")
        metadata = _metadata_from_form(form.fields)
        info = await _inspect(received.path, received.head, received.size)
        track = await _create_track(session, media, user, received, metadata, info)
    finally:
        form.discard()
    return schemas.TrackEnvelopeData(track=track_response(track, media))


# Chunked uploads -----------------------------------------------------------------------------


def _parse_upload_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None


async def initiate_upload(
    session: AsyncSession, media: Media, user: User, body: schemas.InitiateChunkedUploadRequest
) -> schemas.InitiateUploadResponse:
    limits = media.settings.media
    if body.total_size > limits.max_file_bytes:
        raise ValidationFailed.field(
            "total_size",
            f"the file exceeds the maximum size of {limits.max_file_bytes} bytes",
            body.total_size,
        )
    if body.total_chunks > min(limits.max_chunks, body.total_size):
        raise ValidationFailed.field("total_chunks", "too many chunks", body.total_chunks)
    chunk_size = math.ceil(body.total_size / body.total_chunks)
    if chunk_size > limits.max_chunk_bytes:
        raise ValidationFailed.field(
            "total_chunks",
            f"chunks would exceed the maximum chunk size of {limits.max_chunk_bytes} bytes",
            body.total_chunks,
        )
    await _check_quota(session, media, user, body.total_size)
    metadata = body.model_dump(
        include=set(schemas.TrackMetadataFields.model_fields), exclude_none=True
    )
    upload = UploadSession(
        id=uuid.uuid4(),
        user_id=user.id,
        filename=body.filename,
        total_size=body.total_size,
        total_chunks=body.total_chunks,
        track_metadata=metadata or None,
        status=UPLOAD_ACTIVE,
        expires_at=now() + timedelta(seconds=limits.upload_session_ttl_seconds),
    )
    session.add(upload)
    await session.flush()
    return schemas.InitiateUploadResponse(
        upload_id=str(upload.id),
        message="Upload session created",
        total_chunks=upload.total_chunks,
        total_size=upload.total_size,
        chunk_size=chunk_size,
        max_chunk_size=limits.max_chunk_bytes,
        expires_at=upload.expires_at,
    )


def _part_key(upload_id: uuid.UUID, chunk_number: int) -> str:
    return f"uploads/{upload_id}/{chunk_number:06d}.part"


def _form_int(fields: dict[str, str], name: str) -> int:
    value = fields.get(name)
    if value is None or value == "":
        raise ValidationFailed.field(name, "field required")
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationFailed.field(name, "must be an integer", value) from exc


async def _active_upload(
    session: AsyncSession, user: User, raw_id: str, field: str = "upload_id"
) -> UploadSession:
    """The caller's open upload session; anything else is a 400 naming the field (the contract
    lists no 404 on these operations)."""
    upload_id = _parse_upload_id(raw_id)
    upload = (
        await repository.get_upload_session(session, upload_id, user.id, for_update=True)
        if upload_id
        else None
    )
    if upload is None:
        raise ValidationFailed(
            "Upload session not found",
            code="UPLOAD_NOT_FOUND",
            details=[{"field": field, "message": "unknown upload session", "value": raw_id}],
        )
    if upload.status != UPLOAD_ACTIVE:
        raise BadRequest("This upload has already been completed", code="UPLOAD_ALREADY_COMPLETED")
    if upload.expires_at <= now():
        raise BadRequest("This upload session has expired", code="UPLOAD_EXPIRED")
    return upload


async def receive_chunk(
    session: AsyncSession, media: Media, user: User, request: Request
) -> schemas.ChunkUploadResponse:
    form = await _receive(session, media, request, "chunk", media.settings.media.max_chunk_bytes)
    try:
        return await _store_chunk(session, media, user, form)
    finally:
        form.discard()


async def _store_chunk(
    session: AsyncSession, media: Media, user: User, form: ReceivedForm
) -> schemas.ChunkUploadResponse:
    received = form.files.get("chunk")
    if received is None:
        raise ValidationFailed.field("chunk", "field required")
    fields = form.fields
    chunk_number = _form_int(fields, "chunk_number")
    total_chunks = _form_int(fields, "total_chunks")
    total_size = _form_int(fields, "total_size")
    if not fields.get("filename"):
        raise ValidationFailed.field("filename", "field required")
    upload = await _active_upload(session, user, fields.get("upload_id", ""))
    if total_chunks != upload.total_chunks or total_size != upload.total_size:
        raise ValidationFailed.field(
            "total_chunks", "total_chunks and total_size must match the upload session"
        )
    if not 1 <= chunk_number <= upload.total_chunks:
        raise ValidationFailed.field(
            "chunk_number", f"must be between 1 and {upload.total_chunks}", chunk_number
        )
    if received.size == 0:
        raise ValidationFailed.field("chunk", "the chunk is empty")
    held = dict(await repository.received_chunks(session, upload.id))
    held_elsewhere = sum(size for number, size in held.items() if number != chunk_number)
    if held_elsewhere + received.size > upload.total_size:
        raise ValidationFailed.field("chunk", "the chunks exceed the announced total_size")
    await media.storage.put_file(_part_key(upload.id, chunk_number), received.path, durable=True)
    await repository.record_chunk(session, upload.id, chunk_number, received.size, now())
    held[chunk_number] = received.size
    numbers = sorted(held)
    return schemas.ChunkUploadResponse(
        upload_id=str(upload.id),
        message="Chunk received",
        chunk_number=chunk_number,
        progress=round(100.0 * len(numbers) / upload.total_chunks, 2),
        received_chunks=len(numbers),
        received_chunk_numbers=numbers,
    )


async def resume_upload(
    session: AsyncSession, user: User, raw_id: str
) -> schemas.ResumeUploadResponse:
    upload_id = _parse_upload_id(raw_id)
    upload = await repository.get_upload_session(session, upload_id, user.id) if upload_id else None
    if upload is None:
        raise UploadNotFound()
    held = await repository.received_chunks(session, upload.id)
    numbers = [number for number, _ in held]
    present = set(numbers)
    status = upload.status
    if status == UPLOAD_ACTIVE and upload.expires_at <= now():
        status = "expired"
    return schemas.ResumeUploadResponse(
        upload_id=str(upload.id),
        status=status,
        filename=upload.filename,
        total_chunks=upload.total_chunks,
        total_size=upload.total_size,
        chunks_received=len(numbers),
        received_chunks=numbers,
        missing_chunks=[n for n in range(1, upload.total_chunks + 1) if n not in present],
        received_bytes=sum(size for _, size in held),
        progress=round(100.0 * len(numbers) / upload.total_chunks, 2),
        expires_at=upload.expires_at,
        track_id=upload.track_id,
    )


async def _assemble(session: AsyncSession, media: Media, upload: UploadSession) -> ReceivedFile:
    """Concatenate the chunks in order into one staging file, checking count and total size."""
    held = await repository.received_chunks(session, upload.id)
    present = {number for number, _ in held}
    missing = [n for n in range(1, upload.total_chunks + 1) if n not in present]
    if missing:
        shown = ", ".join(str(n) for n in missing[:20]) + (" ..." if len(missing) > 20 else "")
        raise ValidationFailed.field("upload_id", f"missing chunks: {shown}", str(upload.id))
    if sum(size for _, size in held) != upload.total_size:
        raise ValidationFailed.field(
            "upload_id", "the chunks do not add up to the announced total_size", str(upload.id)
        )
    storage = media.storage
    target = storage.new_staging_path(".assembled")
    digest = hashlib.md5(usedforsecurity=False)
    head = b""
    try:
        with target.open("wb") as output:
            for number, _ in held:
                key = _part_key(upload.id, number)
                source = storage.local_path(key)
                downloaded: Path | None = None
                if source is None:
                    downloaded = storage.new_staging_path(".part")
                    await storage.download_to(key, downloaded)
                    source = downloaded
                try:
                    chunk_head = await asyncio.to_thread(_append, source, output, digest)
                finally:
                    if downloaded is not None:
                        downloaded.unlink(missing_ok=True)
                if len(head) < 64:
                    head += chunk_head[: 64 - len(head)]
            await asyncio.to_thread(os.fsync, output.fileno())
    except ObjectNotFound as exc:
        target.unlink(missing_ok=True)
        raise ValidationFailed.field("upload_id", "a chunk is missing, send it again") from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return ReceivedFile(
        path=target,
        filename=upload.filename,
        size=upload.total_size,
        md5=digest.hexdigest(),
        head=head,
    )


def _append(source: Path, output: Any, digest: Any) -> bytes:
    head = b""
    with source.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            if not head:
                head = block[:64]
            digest.update(block)
            output.write(block)
    return head


async def _claim_and_assemble(
    session: AsyncSession, media: Media, user: User, raw_id: str
) -> tuple[UploadSession, ReceivedFile, AudioInfo]:
    upload = await _active_upload(session, user, raw_id)
    # Claimed in this transaction: a concurrent or repeated complete finds it taken.
    if not await repository.claim_upload(session, upload.id, UPLOAD_ASSEMBLING):
        raise BadRequest("This upload has already been completed", code="UPLOAD_ALREADY_COMPLETED")
    received = await _assemble(session, media, upload)
    try:
        info = await _inspect(received.path, received.head, received.size, field="upload_id")
    except BaseException:
        received.discard()
        raise
    return upload, received, info


def _finish_upload(
    session: AsyncSession, media: Media, upload: UploadSession, track: Track, md5: str | None
) -> None:
    upload.status = UPLOAD_COMPLETED
    upload.track_id = track.id
    upload.md5 = md5
    upload.completed_at = now()
    session.add(StorageDeletion(key=f"uploads/{upload.id}", is_prefix=True))
    storage, prefix = media.storage, f"uploads/{upload.id}"

    async def _remove_parts() -> None:
        await storage.delete_prefix(prefix)

    after_commit(session, _remove_parts)


async def complete_upload(
    session: AsyncSession, media: Media, user: User, body: schemas.CompleteChunkedUploadRequest
) -> schemas.CompleteUploadResponse:
    upload, received, info = await _claim_and_assemble(session, media, user, body.upload_id)
    try:
        # Checked at initiate; checked again for sessions opened before the rules applied.
        metadata = _validated_metadata(upload.track_metadata or {})
        # The session's own reservation is no longer counted once it is being completed.
        track = await _create_track(session, media, user, received, metadata, info)
    finally:
        received.discard()
    _finish_upload(session, media, upload, track, received.md5)
    assert received.md5 is not None  # assembling hashes the chunks as it copies them
    return schemas.CompleteUploadResponse(
        md5=received.md5, message="Upload completed", track=track_response(track, media)
    )


# Reading tracks ------------------------------------------------------------------------------


async def _readable_track(session: AsyncSession, track_id: uuid.UUID, viewer: User | None) -> Track:
    track = await repository.get_readable(session, track_id, viewer)
    if track is None:
        raise TrackNotFound()
    return track


async def _owned_track(session: AsyncSession, track_id: uuid.UUID, user: User) -> Track:
    """The track if the caller owns it: 404 if they cannot see it, 403 if they can but not own."""
    track = await _readable_track(session, track_id, user)
    if track.creator_id != user.id:
        raise Forbidden("Only the track's owner can do this")
    return track


async def _managed_track(session: AsyncSession, track_id: uuid.UUID, user: User) -> Track:
    """The track if the caller is its owner or an administrator; 404 for anyone else (the
    processing state and history of someone else's track are not theirs to see)."""
    track = await repository.get_track(session, track_id)
    if (
        track is None
        or track.deleted_at is not None
        or not (track.creator_id == user.id or repository.is_admin(user))
    ):
        raise TrackNotFound()
    return track


async def track_status(
    session: AsyncSession, user: User, track_id: uuid.UUID
) -> schemas.TrackStatusResponse:
    track = await _managed_track(session, track_id, user)
    progress = 100 if track.status == "completed" else track.processing_progress
    return schemas.TrackStatusResponse(
        track_id=track.id,
        status=track.status,
        stage=track.processing_stage,
        progress=progress,
        status_message=track.status_message,
        stream_status=track.stream_status,
    )


async def waveform_json(
    session: AsyncSession, media: Media, viewer: User | None, track_id: uuid.UUID
) -> bytes:
    track = await _readable_track(session, track_id, viewer)
    if not track.waveform_path:
        raise NotFound("Waveform not generated yet", code="WAVEFORM_NOT_READY")
    try:
        return await media.storage.get_bytes(track.waveform_path)
    except ObjectNotFound as exc:
        raise NotFound("Waveform not generated yet", code="WAVEFORM_NOT_READY") from exc


async def history(
    session: AsyncSession,
    user: User | None,
    track_id: uuid.UUID,
    limit: int | None,
    offset: int | None,
) -> schemas.HistoryResponse:
    limit = 50 if limit is None else limit
    offset = 0 if offset is None else offset
    if limit < 1:
        raise ValidationFailed.field("limit", "must be at least 1", limit)
    if offset < 0:
        raise ValidationFailed.field("offset", "must not be negative", offset)
    limit = min(limit, 100)
    if user is None:
        raise TrackNotFound()
    track = await _managed_track(session, track_id, user)
    rows, total = await repository.history_page(session, track.id, limit=limit, offset=offset)
    return schemas.HistoryResponse(
        history=[schemas.HistoryEntry.model_validate(row) for row in rows],
        limit=limit,
        offset=offset,
        total=total,
    )


# Stream and download -------------------------------------------------------------------------

_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def download_filename(track: Track) -> str:
    base = f"{track.artist} - {track.title}" if track.artist else track.title
    base = _UNSAFE_FILENAME.sub("_", base).strip(" .") or "track"
    return f"{base[:150]}.{track.format or 'bin'}"


async def _playable_track(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None, share_token: str | None
) -> Track:
    track = await repository.get_readable(session, track_id, viewer)
    if track is None and share_token:
        candidate = await repository.get_track(session, track_id)
        if candidate is not None and await share_token_grants_access(
            session, candidate, share_token
        ):
            track = candidate
    if track is None or not track.file_path:
        raise TrackNotFound()
    return track


async def serve_audio(
    session: AsyncSession,
    media: Media,
    viewer: User | None,
    track_id: uuid.UUID,
    share_token: str | None,
    request_headers: dict[str, str],
    *,
    download: bool,
) -> Response:
    anonymous_stream = not download and viewer is None and not share_token
    playable = media.playback.get(str(track_id)) if anonymous_stream else None
    if playable is None:
        track = await _playable_track(session, track_id, viewer, share_token)
        owner = viewer is not None and (
            viewer.id == track.creator_id or repository.is_admin(viewer)
        )
        if download and not owner and not await download_license_granted(session, track, viewer):
            raise Forbidden("A license is required to download this track", code="LICENSE_REQUIRED")
        playable = await _playable_file(media, track)
        if await repository.get_readable(session, track.id, None) is not None:
            media.playback.put(playable)  # readable by anyone: safe to serve without a lookup
        private = not track.is_public
    else:
        private = False
    settings = media.settings.media
    response = await deliver(
        media.storage,
        playable.file_path,
        request_headers,
        content_type="application/octet-stream"
        if download
        else (playable.mime_type or "application/octet-stream"),
        md5=playable.md5,
        disposition=content_disposition(playable.filename, "attachment" if download else "inline"),
        presign_filename=playable.filename if download else None,
        ttl_seconds=settings.download_url_ttl_seconds
        if download
        else settings.stream_url_ttl_seconds,
        accel_prefix=settings.accel_redirect_prefix,
        private=private,
        info=ObjectInfo(playable.size, playable.modified_at),
        path=playable.local_path,
    )
    if download and _starts_a_download(response):
        _count_download_after_commit(session, media, track_id)
    return response


def _starts_a_download(response: Response) -> bool:
    """A download is counted once, when the file is handed over from its first byte (a
    resumed download's later ranges and revalidations are not new downloads)."""
    if response.status_code in (200, 302):
        return True
    return response.status_code == 206 and response.headers.get("content-range", "").startswith(
        "bytes 0-"
    )


def _count_download_after_commit(session: AsyncSession, media: Media, track_id: uuid.UUID) -> None:
    """download_count + 1, in its own short write transaction once the request's read-only
    one is over (a GET never writes in its own transaction)."""

    async def _count() -> None:
        async with media.db.writer() as writer, writer.begin():
            await engagement_repository.add_to_counter(writer, track_id, "download_count", 1)

    after_commit(session, _count)


async def _playable_file(media: Media, track: Track) -> PlayableFile:
    assert track.file_path is not None
    info = ObjectInfo(track.file_size, track.updated_at)
    if media.storage.local_path(track.file_path) is not None:
        try:
            info = await media.storage.stat(track.file_path)
        except ObjectNotFound as exc:
            raise NotFound("File not found", code="FILE_NOT_FOUND") from exc
    return PlayableFile(
        track_id=str(track.id),
        file_path=track.file_path,
        md5=track.md5,
        mime_type=track.mime_type,
        filename=download_filename(track),
        size=info.size,
        modified_at=info.modified_at,
        local_path=media.storage.local_path(track.file_path),
    )


async def deliver(
    storage: Storage,
    key: str,
    request_headers: dict[str, str],
    *,
    content_type: str,
    md5: str | None,
    disposition: str | None,
    presign_filename: str | None,
    ttl_seconds: int,
    accel_prefix: str,
    private: bool,
    info: ObjectInfo | None = None,
    path: Path | None = None,
) -> Response:
    """Answer with a stored file: a presigned redirect (object storage), an X-Accel-Redirect
    hand-off to nginx (when configured), or the bytes with Range support."""
    url = await storage.presigned_url(
        key, ttl_seconds=ttl_seconds, filename=presign_filename, content_type=content_type
    )
    if url is not None:
        return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})
    path = path or storage.local_path(key)
    if path is None:
        raise NotFound("File not found", code="FILE_NOT_FOUND")
    if accel_prefix:
        # nginx serves the bytes (Range, sendfile); we only decided who may have them.
        headers = representation_headers(
            content_type=content_type, disposition=disposition, private=private
        )
        headers["X-Accel-Redirect"] = accel_redirect_uri(accel_prefix, key)
        return Response(status_code=200, headers=headers)
    if info is None:
        try:
            info = await storage.stat(key)
        except ObjectNotFound as exc:
            raise NotFound("File not found", code="FILE_NOT_FOUND") from exc
    tag, modified = validators(md5, info.size, info.modified_at)
    headers = representation_headers(
        content_type=content_type,
        etag=tag,
        modified=modified,
        disposition=disposition,
        private=private,
    )
    if not_modified(request_headers, tag, modified):
        del headers["Content-Type"]  # a 304 carries the validators, not the representation's type
        return Response(status_code=304, headers=headers)
    byte_range = None
    if range_applies(request_headers, tag, modified):
        try:
            byte_range = parse_range(request_headers.get("range"), info.size)
        except RangeNotSatisfiableError as exc:
            raise RangeNotSatisfiable(headers={"Content-Range": f"bytes */{info.size}"}) from exc
    if byte_range is None:
        return FileRangeResponse(
            path,
            status_code=200,
            offset=0,
            length=info.size,
            headers=headers,
            media_type=content_type,
        )
    headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{info.size}"
    return FileRangeResponse(
        path,
        status_code=206,
        offset=byte_range.start,
        length=byte_range.length,
        headers=headers,
        media_type=content_type,
    )


# HLS -----------------------------------------------------------------------------------------


async def _hls_viewer(session: AsyncSession, media: Media, token: str | None) -> User | None:
    """The listener a stream token names; the same checks as an access token (session alive,
    token_version current, account usable), so a logout ends HLS playback too."""
    if not token:
        return None
    caller = await authenticate_token(
        session, media.tokens, token, typ=STREAM_TOKEN_TYPE, audience=STREAM_AUDIENCE
    )
    return caller.user


def _with_token(playlist: bytes, token: str) -> bytes:
    """Carry a query-string token to every URI of a playlist (players drop the query string
    of the playlist when they resolve relative URIs)."""
    from urllib.parse import quote

    suffix = f"token={quote(token, safe='')}"
    lines = []
    for line in playlist.decode("utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            line = f"{stripped}{'&' if '?' in stripped else '?'}{suffix}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


async def hls_file(
    session: AsyncSession,
    media: Media,
    track_id: uuid.UUID,
    file_path: str,
    *,
    query_token: str | None,
    cookie_token: str | None,
    request_headers: dict[str, str],
) -> Response:
    if not media.settings.media.hls_enabled:
        raise NotFound("HLS is not enabled on this server", code="HLS_DISABLED")
    token = query_token or cookie_token
    viewer = await _hls_viewer(session, media, token)
    track = await repository.get_readable(session, track_id, viewer)
    if track is None or not track.hls_path:
        raise TrackNotFound()
    try:
        key = validate_key(f"{track.hls_path}/{file_path}")
    except ValueError as exc:
        raise NotFound("File not found", code="FILE_NOT_FOUND") from exc
    suffix = PurePosixPath(file_path).suffix
    content_type = HLS_CONTENT_TYPES.get(suffix)
    if content_type is None:
        raise NotFound("File not found", code="FILE_NOT_FOUND")
    private = not track.is_public
    if suffix == ".m3u8":
        try:
            playlist = await media.storage.get_bytes(key)
        except ObjectNotFound as exc:
            raise NotFound("File not found", code="FILE_NOT_FOUND") from exc
        if query_token:
            playlist = _with_token(playlist, query_token)
        return Response(
            playlist,
            media_type=content_type,
            headers={"Cache-Control": "private, no-cache" if private else "public, max-age=60"},
        )
    return await deliver(
        media.storage,
        key,
        request_headers,
        content_type=content_type,
        md5=None,
        disposition=None,
        presign_filename=None,
        ttl_seconds=media.settings.media.stream_url_ttl_seconds,
        accel_prefix=media.settings.media.accel_redirect_prefix,
        private=private,
    )


# Versions ------------------------------------------------------------------------------------


def _version_response(version: TrackVersion, track: Track) -> schemas.VersionResponse:
    response = schemas.VersionResponse.model_validate(version)
    response.is_current = version.id == track.file_id
    return response


async def _retire_derived_files(session: AsyncSession, track: Track) -> None:
    """The waveform, cover and HLS files of the audio being replaced go to the outbox."""
    for key in (track.waveform_path,):
        if key:
            session.add(StorageDeletion(key=key))
    if track.hls_path:
        session.add(StorageDeletion(key=track.hls_path, is_prefix=True))
    track.waveform_path = None
    track.hls_path = None
    track.stream_status = STREAM_PENDING
    track.stream_manifest_url = None


async def _switch_to_version(
    session: AsyncSession,
    media: Media,
    user: User,
    track: Track,
    version: TrackVersion,
    action: str,
) -> None:
    """Make ``version`` the track's audio (a new upload or a restore): the old derived files
    go, the anonymous playback cache forgets the track, history says which version replaced
    which, and processing is queued after the commit."""
    previous = track.file_id
    await _retire_derived_files(session, track)
    _apply_file(track, version)
    media.playback.forget(track.id)
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
    await session.flush()
    _enqueue_after_commit(session, media, track)


async def upload_version(
    session: AsyncSession,
    media: Media,
    user: User,
    track_id: uuid.UUID,
    body: schemas.NewVersionRequest,
) -> schemas.NewVersionResponse:
    track = await _owned_track(session, track_id, user)
    upload, received, info = await _claim_and_assemble(session, media, user, body.upload_id)
    try:
        # The session's reservation is released by the claim; the file now counts as stored.
        await _check_quota(session, media, user, received.size)
        number = await repository.next_version_number(session, track.id)
        version = await _store_version(session, media, track, received, info, number, user)
    finally:
        received.discard()
    _finish_upload(session, media, upload, track, received.md5)
    await _switch_to_version(session, media, user, track, version, "version_uploaded")
    return schemas.NewVersionResponse(
        message="New version uploaded",
        version=_version_response(version, track),
        track=track_response(track, media),
    )


async def list_versions(
    session: AsyncSession, user: User, track_id: uuid.UUID
) -> schemas.VersionListResponse:
    track = await _managed_track(session, track_id, user)
    versions = await repository.list_versions(session, track.id)
    return schemas.VersionListResponse(versions=[_version_response(v, track) for v in versions])


async def restore_version(
    session: AsyncSession, media: Media, user: User, track_id: uuid.UUID, version_id: uuid.UUID
) -> schemas.RestoreResponse:
    track = await _owned_track(session, track_id, user)
    version = await repository.get_version(session, track.id, version_id)
    if version is None:
        raise NotFound("Version not found", code="VERSION_NOT_FOUND")
    if version.id == track.file_id:
        return schemas.RestoreResponse(
            message="This version is already the current one", track=track_response(track, media)
        )
    await _switch_to_version(session, media, user, track, version, "version_restored")
    return schemas.RestoreResponse(
        message=f"Version {version.version_number} restored", track=track_response(track, media)
    )


# Internal callback ---------------------------------------------------------------------------

_CALLBACK_STATUS = {
    "completed": STREAM_READY,
    "failed": STREAM_ERROR,
    "processing": STREAM_PROCESSING,
}


async def stream_ready(
    session: AsyncSession, track_id: uuid.UUID, body: schemas.StreamCallbackRequest
) -> schemas.MessageResponse:
    track = await repository.get_track(session, track_id, for_update=True)
    if track is None:
        # The contract lists no 404 here: an unknown track is an invalid id for the caller.
        raise ValidationFailed(
            "Track not found",
            code="TRACK_NOT_FOUND",
            details=[{"field": "id", "message": "unknown track", "value": str(track_id)}],
        )
    manifest = (body.manifest_url or "").strip() or None
    if body.status == "completed":
        if manifest is None:
            raise ValidationFailed.field("manifest_url", "required when status is completed")
        if not (manifest.startswith(("https://", "http://", "/"))) or len(manifest) > 2048:
            raise ValidationFailed.field(
                "manifest_url", "must be an http(s) URL or an absolute path", manifest
            )
    new_status = _CALLBACK_STATUS[body.status]
    changes: dict[str, Any] = {"stream_status": [track.stream_status, new_status]}
    track.stream_status = new_status
    if body.status == "completed":
        changes["stream_manifest_url"] = [track.stream_manifest_url, manifest]
        track.stream_manifest_url = manifest
    if body.status == "failed" and body.error:
        changes["error"] = body.error[:500]
    repository.add_history(
        session, track.id, "stream_status_changed", user_id=None, changes=changes
    )
    await session.flush()
    return schemas.MessageResponse(message="Stream status updated")


# Account deletion ----------------------------------------------------------------------------


async def remove_tracks_of_deleted_user(
    session: AsyncSession, *, user_id: uuid.UUID, keep_public_tracks: bool = False, **_: Any
) -> None:
    """USER_DELETED: the user's tracks go (public ones stay when they asked to keep them), their
    files are queued for removal after the commit, unfinished uploads are dropped."""
    tracks = await repository.tracks_of_user(session, user_id, except_public=keep_public_tracks)
    for track in tracks:
        session.add(StorageDeletion(key=f"tracks/{user_id}/{track.id}", is_prefix=True))
        session.add(StorageDeletion(key=f"hls/{track.id}", is_prefix=True))
    if tracks:
        await session.execute(delete(Track).where(Track.id.in_([t.id for t in tracks])))
    upload_ids = (
        await session.scalars(select(UploadSession.id).where(UploadSession.user_id == user_id))
    ).all()
    for upload_id in upload_ids:
        session.add(StorageDeletion(key=f"uploads/{upload_id}", is_prefix=True))
    await repository.delete_uploads(session, list(upload_ids))
    await session.flush()


events.subscribe(events.USER_DELETED, remove_tracks_of_deleted_user)
