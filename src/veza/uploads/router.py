"""HTTP routes of uploads: single and chunked uploads, resume, quota, new versions.

Upload bodies are parsed by the service as they stream in (uploads/receiver.py), not by FastAPI;
the served schema describes them with ``multipart_body``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import DbSession, PublicUrl
from veza.kit.envelope import Envelope, ok
from veza.tracks.paths import TrackId
from veza.tracks.schemas import TrackEnvelopeData
from veza.uploads import chunked, quota, schemas, service, versions
from veza.uploads.dependencies import Incoming, Uploads

router = APIRouter()


def multipart_body(
    file_field: str, fields: dict[str, dict[str, Any]], required: list[str]
) -> dict[str, Any]:
    """The request body as the served schema declares it."""
    properties = {file_field: {"type": "string", "format": "binary"}, **fields}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": properties, "required": required}
                }
            },
        }
    }


_UPLOAD_FORM_FIELDS: dict[str, dict[str, Any]] = {
    "title": {"type": "string", "maxLength": 255},
    "artist": {"type": "string", "maxLength": 255},
    "album": {"type": "string", "maxLength": 255},
    "genre": {"type": "string", "maxLength": 100},
    "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
    "bpm": {"type": "integer", "minimum": 0, "maximum": 300},
    "musical_key": {"type": "string", "maxLength": 10},
    "is_public": {"type": "boolean"},
    "tags": {"type": "string", "description": "Comma-separated, at most 10"},
}
_CHUNK_FORM_FIELDS: dict[str, dict[str, Any]] = {
    "upload_id": {"type": "string", "description": "Upload ID"},
    "chunk_number": {"type": "integer", "description": "Chunk Number (1-based)"},
    "total_chunks": {"type": "integer", "description": "Total Chunks"},
    "total_size": {"type": "integer", "format": "int64", "description": "Total Size"},
    "filename": {"type": "string", "description": "Filename"},
}


@router.post(
    "/tracks",
    tags=["Track"],
    summary="Upload Track",
    status_code=201,
    response_model_exclude_none=True,
    openapi_extra=multipart_body("file", _UPLOAD_FORM_FIELDS, ["file"]),
)
async def post_tracks(
    user: CurrentUser, session: DbSession, tools: Uploads, body: Incoming, public_url: PublicUrl
) -> Envelope[TrackEnvelopeData]:
    return ok(await service.upload_track(session, user, body, tools=tools, public_url=public_url))


@router.post(
    "/tracks/chunk",
    tags=["Track"],
    summary="Upload Chunk",
    openapi_extra=multipart_body("chunk", _CHUNK_FORM_FIELDS, ["chunk", *_CHUNK_FORM_FIELDS]),
)
async def post_tracks_chunk(
    user: CurrentUser, session: DbSession, tools: Uploads, body: Incoming
) -> Envelope[schemas.ChunkUploadResponse]:
    return ok(await chunked.receive_chunk(session, user, body, tools=tools))


@router.post(
    "/tracks/complete",
    tags=["Track"],
    summary="Complete Chunked Upload",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_tracks_complete(
    user: CurrentUser,
    session: DbSession,
    tools: Uploads,
    public_url: PublicUrl,
    body: Annotated[schemas.CompleteChunkedUploadRequest, Body(description="Upload ID")],
) -> Envelope[schemas.CompleteUploadResponse]:
    return ok(
        await chunked.complete_upload(session, user, body, tools=tools, public_url=public_url)
    )


@router.post("/tracks/initiate", tags=["Track"], summary="Initiate Chunked Upload")
async def post_tracks_initiate(
    user: CurrentUser,
    session: DbSession,
    tools: Uploads,
    body: Annotated[schemas.InitiateChunkedUploadRequest, Body(description="Upload Metadata")],
) -> Envelope[schemas.InitiateUploadResponse]:
    return ok(await chunked.initiate_upload(session, user, body, tools=tools))


@router.get(
    "/tracks/quota/{id}",
    tags=["Track"],
    summary="Get Upload Quota",
    response_model_exclude_none=True,
)
async def get_tracks_quota_id(
    user: CurrentUser,
    session: DbSession,
    tools: Uploads,
    id: Annotated[str, Path(description="User ID or 'me' for current user")],
) -> Envelope[schemas.QuotaResponse]:
    return ok(await quota.quota_for(session, user, id, tools=tools))


@router.get(
    "/tracks/resume/{uploadId}",
    tags=["Track"],
    summary="Resume Upload",
    response_model_exclude_none=True,
)
async def get_tracks_resume_upload_id(
    user: CurrentUser,
    session: DbSession,
    # A string, not a UUID: the contract lists only 404 here, which is also what a malformed id
    # gets (no such upload session).
    upload_id: Annotated[str, Path(description="Upload ID", alias="uploadId")],
) -> Envelope[schemas.ResumeUploadResponse]:
    return ok(await chunked.resume_upload(session, user, upload_id))


@router.post(
    "/tracks/{id}/versions",
    tags=["Track"],
    summary="Replace a track's audio with a chunked upload (the previous file stays a version)",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_tracks_id_versions(
    user: CurrentUser,
    session: DbSession,
    tools: Uploads,
    public_url: PublicUrl,
    track_id: TrackId,
    body: Annotated[schemas.NewVersionRequest, Body(description="A completed chunk set")],
) -> Envelope[schemas.NewVersionResponse]:
    return ok(
        await versions.upload_version(
            session, user, track_id, body, tools=tools, public_url=public_url
        )
    )
