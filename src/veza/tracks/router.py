"""HTTP routes of the tracks domain."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Cookie, Path, Query, Request, Response

from veza.auth.dependencies import CurrentUser, OptionalUser
from veza.kit.db import DbSession
from veza.kit.envelope import Envelope, ok
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented
from veza.tracks import catalog, engagement, schemas, service, sharing
from veza.tracks.dependencies import STREAM_TOKEN_COOKIE, InternalCaller, MediaServices

router = APIRouter()
# HLS playlists and segments, served outside /api/v1 (the contract points at /hls/*).
hls_router = APIRouter(include_in_schema=False)


def _multipart_body(
    file_field: str, fields: dict[str, dict[str, Any]], required: list[str]
) -> dict[str, Any]:
    """The request body as the served schema declares it: the body itself is parsed as it
    streams in (see tracks/uploads.py), not by FastAPI."""
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
_AUDIO_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/*": {}}, "description": "The audio (206 for a Range request)"},
    302: {"description": "Redirect to a presigned URL (S3-backed storage)"},
}


@router.post(
    "/internal/tracks/{id}/stream-ready",
    tags=["Track"],
    summary="Stream server callback",
    response_model_exclude_none=True,
)
async def post_internal_tracks_id_stream_ready(
    _: InternalCaller,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.StreamCallbackRequest, Body(description="Callback payload")],
) -> schemas.MessageResponse:
    return await service.stream_ready(session, id, body)


@router.get("/tracks", tags=["Track"], summary="List tracks", response_model_exclude_none=True)
async def get_tracks(
    viewer: OptionalUser,
    session: DbSession,
    media: MediaServices,
    cursor: Annotated[
        str | None, Query(description="Opaque pagination cursor (overrides page)")
    ] = None,
    page: Annotated[
        int | None, Query(description="Page number, 1-based (ignored if cursor set)")
    ] = None,
    limit: Annotated[int | None, Query(description="Items per page (max 100)")] = None,
    user_id: Annotated[str | None, Query(description="Filter by creator UUID")] = None,
    genre: Annotated[str | None, Query(description="Filter by genre")] = None,
    format: Annotated[
        str | None, Query(description="Filter by audio format (mp3, flac, wav, ogg, m4a, aac)")
    ] = None,
    sort_by: Annotated[
        str | None, Query(description="Sort column (created_at, play_count, title)")
    ] = None,
) -> Envelope[schemas.TrackList]:
    return ok(
        await catalog.list_tracks(
            session,
            media,
            viewer,
            cursor=cursor,
            page=page,
            limit=limit,
            user_id=user_id,
            genre=genre,
            format=format,
            sort_by=sort_by,
        )
    )


@router.post(
    "/tracks",
    tags=["Track"],
    summary="Upload Track",
    status_code=201,
    response_model_exclude_none=True,
    openapi_extra=_multipart_body("file", _UPLOAD_FORM_FIELDS, ["file"]),
)
async def post_tracks(
    request: Request, user: CurrentUser, session: DbSession, media: MediaServices
) -> Envelope[schemas.TrackEnvelopeData]:
    return ok(await service.upload_track(session, media, user, request))


@router.post("/tracks/batch/delete", tags=["Track"], summary="Batch delete tracks")
async def post_tracks_batch_delete(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    body: Annotated[schemas.BatchDeleteRequest, Body(description="List of track UUIDs")],
) -> Envelope[schemas.BatchDeleteResult]:
    return ok(await catalog.batch_delete(session, media, user, body))


@router.post("/tracks/batch/update", tags=["Track"], summary="Batch update tracks")
async def post_tracks_batch_update(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    body: Annotated[
        schemas.BatchUpdateRequest, Body(description="Track UUIDs + shared updates map")
    ],
) -> Envelope[schemas.BatchUpdateResult]:
    return ok(await catalog.batch_update(session, media, user, body))


@router.post(
    "/tracks/chunk",
    tags=["Track"],
    summary="Upload Chunk",
    openapi_extra=_multipart_body("chunk", _CHUNK_FORM_FIELDS, ["chunk", *_CHUNK_FORM_FIELDS]),
)
async def post_tracks_chunk(
    request: Request, user: CurrentUser, session: DbSession, media: MediaServices
) -> Envelope[schemas.ChunkUploadResponse]:
    return ok(await service.receive_chunk(session, media, user, request))


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
    media: MediaServices,
    body: Annotated[schemas.CompleteChunkedUploadRequest, Body(description="Upload ID")],
) -> Envelope[schemas.CompleteUploadResponse]:
    return ok(await service.complete_upload(session, media, user, body))


@router.post("/tracks/initiate", tags=["Track"], summary="Initiate Chunked Upload")
async def post_tracks_initiate(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    body: Annotated[schemas.InitiateChunkedUploadRequest, Body(description="Upload Metadata")],
) -> Envelope[schemas.InitiateUploadResponse]:
    return ok(await service.initiate_upload(session, media, user, body))


@router.get(
    "/tracks/quota/{id}",
    tags=["Track"],
    summary="Get Upload Quota",
    response_model_exclude_none=True,
)
async def get_tracks_quota_id(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[str, Path(description="User ID or 'me' for current user")],
) -> Envelope[schemas.QuotaResponse]:
    return ok(schemas.QuotaResponse(quota=await service.quota_for(session, media, user, id)))


@router.get(
    "/tracks/recommendations",
    tags=["Track"],
    summary="Get track recommendations",
    response_model_exclude_none=True,
)
async def get_tracks_recommendations(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    limit: Annotated[int | None, Query(description="Max items (max 100)")] = None,
    seed_track_id: Annotated[
        str | None, Query(description="Start from this track's similarity neighbours")
    ] = None,
) -> Envelope[schemas.Recommendations]:
    return ok(await catalog.recommendations(session, media, user, limit, seed_track_id))


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
    return ok(await service.resume_upload(session, user, upload_id))


@router.get("/tracks/search", tags=["Track"], summary="Advanced track search")
@not_implemented
async def get_tracks_search(
    q: Annotated[str | None, Query(description="Full-text query (title/artist/album)")] = None,
    tags: Annotated[str | None, Query(description="Comma-separated tag list")] = None,
    tag_mode: Annotated[str | None, Query(description="Tag combinator (OR / AND)")] = None,
    min_duration: Annotated[int | None, Query(description="Minimum duration (seconds)")] = None,
    max_duration: Annotated[int | None, Query(description="Maximum duration (seconds)")] = None,
    min_bpm: Annotated[int | None, Query(description="Minimum BPM")] = None,
    max_bpm: Annotated[int | None, Query(description="Maximum BPM")] = None,
    genre: Annotated[str | None, Query(description="Genre filter")] = None,
    format: Annotated[str | None, Query(description="Audio format filter")] = None,
    musical_key: Annotated[str | None, Query(description="Musical key filter")] = None,
    min_date: Annotated[str | None, Query(description="Created-after (RFC3339)")] = None,
    max_date: Annotated[str | None, Query(description="Created-before (RFC3339)")] = None,
    page: Annotated[int | None, Query(description="Page (1-based)")] = None,
    limit: Annotated[int | None, Query(description="Items per page (max 100)")] = None,
    sort_by: Annotated[str | None, Query(description="Sort column")] = None,
    sort_order: Annotated[str | None, Query(description="asc / desc")] = None,
) -> None:
    raise NotImplementedYet()


@router.delete("/tracks/share/{id}", tags=["Track"], summary="Revoke share link")
async def delete_tracks_share_id(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Share UUID")],
) -> Envelope[schemas.MessageResponse]:
    return ok(await sharing.revoke(session, user, id))


@router.get(
    "/tracks/shared/{token}",
    tags=["Track"],
    summary="Get track by share token",
    response_model_exclude_none=True,
)
async def get_tracks_shared_token(
    session: DbSession,
    media: MediaServices,
    token: Annotated[str, Path(description="Opaque share token issued by CreateShare")],
) -> Envelope[schemas.SharedTrackData]:
    return ok(await sharing.resolve(session, media, token))


@router.get("/tracks/suggested-tags", tags=["Track"], summary="Get suggested tags")
async def get_tracks_suggested_tags(
    genre: Annotated[
        str | None,
        Query(
            description="Genre slug (pop, rock, electronic, hip-hop, jazz, classical, ambient, default)"
        ),
    ] = None,
) -> Envelope[schemas.SuggestedTags]:
    return ok(catalog.suggested_tags(genre))


@router.delete("/tracks/{id}", tags=["Track"], summary="Delete track")
async def delete_tracks_id(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.MessageResponse]:
    return ok(await catalog.delete_track(session, media, user, id))


@router.get(
    "/tracks/{id}", tags=["Track"], summary="Get track by ID", response_model_exclude_none=True
)
async def get_tracks_id(
    viewer: OptionalUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.TrackEnvelopeData]:
    return ok(await catalog.get_track(session, media, viewer, id))


@router.put(
    "/tracks/{id}",
    tags=["Track"],
    summary="Update track metadata",
    response_model_exclude_none=True,
)
async def put_tracks_id(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.UpdateTrackRequest, Body(description="Updated metadata")],
) -> Envelope[schemas.TrackEnvelopeData]:
    return ok(await catalog.update_track(session, media, user, id, body))


@router.get(
    "/tracks/{id}/download",
    tags=["Track"],
    summary="Download a track",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The audio file"},
        302: _AUDIO_RESPONSES[302],
    },
)
async def get_tracks_id_download(
    request: Request,
    viewer: OptionalUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
    share_token: Annotated[
        str | None, Query(description="Grants access without authentication for a limited time")
    ] = None,
) -> Response:
    return await service.serve_audio(
        session, media, viewer, id, share_token, dict(request.headers), download=True
    )


@router.get("/tracks/{id}/history", tags=["Track"], summary="Get track history")
async def get_tracks_id_history(
    viewer: OptionalUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
    limit: Annotated[int | None, Query(description="Items per page")] = None,
    offset: Annotated[int | None, Query(description="Offset")] = None,
) -> Envelope[schemas.HistoryResponse]:
    return ok(await service.history(session, viewer, id, limit, offset))


@router.delete("/tracks/{id}/like", tags=["Track"], summary="Unlike a track")
async def delete_tracks_id_like(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.LikeResult]:
    return ok(await engagement.unlike(session, user, id))


@router.post("/tracks/{id}/like", tags=["Track"], summary="Like a track")
async def post_tracks_id_like(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.LikeResult]:
    return ok(await engagement.like(session, user, id))


@router.get(
    "/tracks/{id}/likes",
    tags=["Track"],
    summary="Get track like status",
    response_model_exclude_none=True,
)
async def get_tracks_id_likes(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.LikeStatus]:
    return ok(await engagement.like_status(session, user, id))


@router.get("/tracks/{id}/lyrics", tags=["Track"], summary="Get track lyrics")
async def get_tracks_id_lyrics(
    viewer: OptionalUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.LyricsData]:
    return ok(await catalog.get_lyrics(session, viewer, id))


@router.put("/tracks/{id}/lyrics", tags=["Track"], summary="Create or update track lyrics")
async def put_tracks_id_lyrics(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.UpdateLyricsRequest, Body(description="Lyrics payload")],
) -> Envelope[schemas.LyricsData]:
    return ok(await catalog.put_lyrics(session, user, id, body))


@router.post("/tracks/{id}/play", tags=["Track"], summary="Record play event")
async def post_tracks_id_play(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[
        schemas.RecordPlayRequest | None, Body(description="Playback metadata (optional)")
    ] = None,
) -> Envelope[schemas.PlayResult]:
    client_ip = request.client.host if request.client else None
    return ok(await engagement.record_play(session, user, id, body, client_ip))


@router.delete("/tracks/{id}/repost", tags=["Track"], summary="Remove track repost")
async def delete_tracks_id_repost(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.RepostResult]:
    return ok(await engagement.unrepost(session, user, id))


@router.get("/tracks/{id}/repost", tags=["Track"], summary="Get repost status")
async def get_tracks_id_repost(
    viewer: OptionalUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.RepostStatus]:
    return ok(await engagement.repost_status(session, viewer, id))


@router.post("/tracks/{id}/repost", tags=["Track"], summary="Repost a track")
async def post_tracks_id_repost(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.RepostResult]:
    return ok(await engagement.repost(session, user, id))


@router.post(
    "/tracks/{id}/share",
    tags=["Track"],
    summary="Create share link",
    response_model_exclude_none=True,
)
async def post_tracks_id_share(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.CreateShareRequest, Body(description="Share parameters")],
) -> Envelope[schemas.ShareData]:
    return ok(await sharing.create_share(session, media, user, id, body))


@router.get(
    "/tracks/{id}/stats",
    tags=["Track"],
    summary="Get track statistics",
    response_model_exclude_none=True,
)
async def get_tracks_id_stats(
    viewer: OptionalUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.StatsData]:
    return ok(await engagement.stats(session, viewer, id))


@router.get(
    "/tracks/{id}/status",
    tags=["Track"],
    summary="Get Upload Status",
    response_model_exclude_none=True,
)
async def get_tracks_id_status(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track ID")],
) -> Envelope[schemas.TrackStatusResponse]:
    return ok(await service.track_status(session, user, id))


@router.get(
    "/tracks/{id}/stream",
    tags=["Track"],
    summary="Stream a track (raw audio + Range)",
    response_class=Response,
    responses=_AUDIO_RESPONSES,
)
async def get_tracks_id_stream(
    request: Request,
    viewer: OptionalUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
    share_token: Annotated[
        str | None, Query(description="Grants access without authentication")
    ] = None,
) -> Response:
    return await service.serve_audio(
        session, media, viewer, id, share_token, dict(request.headers), download=False
    )


@router.get(
    "/tracks/{id}/versions",
    tags=["Track"],
    summary="List track versions (owner or admin)",
    response_model_exclude_none=True,
)
async def get_tracks_id_versions(
    user: CurrentUser,
    session: DbSession,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Envelope[schemas.VersionListResponse]:
    return ok(await service.list_versions(session, user, id))


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
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.NewVersionRequest, Body(description="A completed chunk set")],
) -> Envelope[schemas.NewVersionResponse]:
    return ok(await service.upload_version(session, media, user, id, body))


@router.post(
    "/tracks/{id}/versions/{versionId}/restore",
    tags=["Track"],
    summary="Restore track version",
    response_model_exclude_none=True,
)
async def post_tracks_id_versions_version_id_restore(
    user: CurrentUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
    version_id: Annotated[UUID, Path(description="Version UUID", alias="versionId")],
) -> Envelope[schemas.RestoreResponse]:
    return ok(await service.restore_version(session, media, user, id, version_id))


@router.get(
    "/tracks/{id}/waveform",
    tags=["Track"],
    summary="Get track waveform",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {}}, "description": "BBC audiowaveform v2 JSON"}
    },
)
async def get_tracks_id_waveform(
    viewer: OptionalUser,
    session: DbSession,
    media: MediaServices,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> Response:
    payload = await service.waveform_json(session, media, viewer, id)
    return Response(
        payload, media_type="application/json", headers={"Cache-Control": "private, max-age=60"}
    )


@hls_router.get("/hls/{track_id}/{file_path:path}")
async def get_hls_file(
    request: Request,
    session: DbSession,
    media: MediaServices,
    track_id: UUID,
    file_path: str,
    token: Annotated[
        str | None, Query(description="Stream token (POST /auth/stream-token)")
    ] = None,
    stream_token: Annotated[str | None, Cookie(alias=STREAM_TOKEN_COOKIE)] = None,
) -> Response:
    """master.m3u8, <bitrate>k/playlist.m3u8 and segments of a completed track. Private tracks
    need a stream token of their owner (or an administrator), by query or cookie."""
    return await service.hls_file(
        session,
        media,
        track_id,
        file_path,
        query_token=token,
        cookie_token=stream_token,
        request_headers=dict(request.headers),
    )
