"""Chunked, resumable uploads: a session announced with its size (reserved against the quota),
chunks in any order and idempotent, resume from the list of held chunks, and a complete that
assembles them in order into a track (or, through POST /tracks/{id}/versions, a new version).

Sessions are persisted, so an upload survives a restart; expired ones are swept with their
parts (uploads/tasks.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.kit.files import forget
from veza.kit.storage import ObjectNotFound
from veza.media.audio import AudioInfo
from veza.models import User, utcnow
from veza.models.track import (
    UPLOAD_ACTIVE,
    UPLOAD_ASSEMBLING,
    UPLOAD_COMPLETED,
    Track,
    UploadSession,
)
from veza.tracks import keys
from veza.tracks.presenters import track_response
from veza.tracks.schemas import TrackMetadataFields
from veza.uploads import repository, schemas
from veza.uploads.dependencies import UploadTools
from veza.uploads.errors import UnknownUpload, UploadAlreadyCompleted, UploadExpired, UploadNotFound
from veza.uploads.quota import check_quota
from veza.uploads.receiver import IncomingBody, ReceivedFile, ReceivedForm
from veza.uploads.service import create_track, inspect, receive, validated_metadata


def _parse_upload_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None


async def initiate_upload(
    session: AsyncSession,
    user: User,
    body: schemas.InitiateChunkedUploadRequest,
    *,
    tools: UploadTools,
) -> schemas.InitiateUploadResponse:
    limits = tools.limits
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
    await check_quota(session, tools, user, body.total_size)
    metadata = body.model_dump(include=set(TrackMetadataFields.model_fields), exclude_none=True)
    upload = UploadSession(
        id=uuid.uuid4(),
        user_id=user.id,
        filename=body.filename,
        total_size=body.total_size,
        total_chunks=body.total_chunks,
        track_metadata=metadata or None,
        status=UPLOAD_ACTIVE,
        expires_at=utcnow() + timedelta(seconds=limits.upload_session_ttl_seconds),
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
        raise UnknownUpload.named(field, raw_id)
    if upload.status != UPLOAD_ACTIVE:
        raise UploadAlreadyCompleted()
    if upload.expires_at <= utcnow():
        raise UploadExpired()
    return upload


async def receive_chunk(
    session: AsyncSession, user: User, body: IncomingBody, *, tools: UploadTools
) -> schemas.ChunkUploadResponse:
    form = await receive(session, tools, body, "chunk", tools.limits.max_chunk_bytes)
    try:
        return await _store_chunk(session, tools, user, form)
    finally:
        form.discard()


async def _store_chunk(
    session: AsyncSession, tools: UploadTools, user: User, form: ReceivedForm
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
    await tools.storage.put_file(
        keys.upload_part(upload.id, chunk_number), received.path, durable=True
    )
    await repository.record_chunk(session, upload.id, chunk_number, received.size, utcnow())
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
    if status == UPLOAD_ACTIVE and upload.expires_at <= utcnow():
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


async def _assemble(
    session: AsyncSession, tools: UploadTools, upload: UploadSession
) -> ReceivedFile:
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
    storage = tools.storage
    target = storage.new_staging_path(".assembled")
    digest = hashlib.md5(usedforsecurity=False)
    head = b""
    try:
        with target.open("wb") as output:
            for number, _ in held:
                key = keys.upload_part(upload.id, number)
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


async def claim_and_assemble(
    session: AsyncSession, tools: UploadTools, user: User, raw_id: str
) -> tuple[UploadSession, ReceivedFile, AudioInfo]:
    """The caller's complete upload session, claimed (a concurrent or repeated complete finds
    it taken), its chunks assembled in order and the result recognised as audio."""
    upload = await _active_upload(session, user, raw_id)
    # Claimed in this transaction: a concurrent or repeated complete finds it taken.
    if not await repository.claim_upload(session, upload.id, UPLOAD_ASSEMBLING):
        raise UploadAlreadyCompleted()
    received = await _assemble(session, tools, upload)
    try:
        info = await inspect(
            tools.limits, received.path, received.head, received.size, field="upload_id"
        )
    except BaseException:
        received.discard()
        raise
    return upload, received, info


def finish_upload(
    session: AsyncSession, tools: UploadTools, upload: UploadSession, track: Track, md5: str | None
) -> None:
    """The session is done: it names its track, and its parts go right after the commit."""
    upload.status = UPLOAD_COMPLETED
    upload.track_id = track.id
    upload.md5 = md5
    upload.completed_at = utcnow()
    forget(session, keys.upload_parts(upload.id), prefix=True, remove_after_commit=tools.storage)


async def complete_upload(
    session: AsyncSession,
    user: User,
    body: schemas.CompleteChunkedUploadRequest,
    *,
    tools: UploadTools,
    public_url: str,
) -> schemas.CompleteUploadResponse:
    upload, received, info = await claim_and_assemble(session, tools, user, body.upload_id)
    try:
        # Checked at initiate; checked again for sessions opened before the rules applied.
        metadata = validated_metadata(upload.track_metadata or {})
        # The session's own reservation is no longer counted once it is being completed.
        track = await create_track(session, tools, user, received, metadata, info)
    finally:
        received.discard()
    finish_upload(session, tools, upload, track, received.md5)
    assert received.md5 is not None  # assembling hashes the chunks as it copies them
    return schemas.CompleteUploadResponse(
        md5=received.md5, message="Upload completed", track=track_response(track, public_url)
    )
