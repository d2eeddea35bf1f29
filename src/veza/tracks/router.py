"""HTTP routes of the tracks domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, File, Form, Path, Query, UploadFile

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented
from veza.tracks import schemas

router = APIRouter()


@router.post("/internal/tracks/{id}/stream-ready", tags=["Track"], summary="Stream server callback")
@not_implemented
async def post_internal_tracks_id_stream_ready(
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.StreamCallbackRequest, Body(description="Callback payload")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks", tags=["Track"], summary="List tracks")
@not_implemented
async def get_tracks(
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
) -> None:
    raise NotImplementedYet()


@router.post("/tracks", tags=["Track"], summary="Upload Track", status_code=201)
@not_implemented
async def post_tracks(
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="Audio File (MP3, WAV, FLAC, OGG)")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/batch/delete", tags=["Track"], summary="Batch delete tracks")
@not_implemented
async def post_tracks_batch_delete(
    user: CurrentUser,
    body: Annotated[schemas.BatchDeleteRequest, Body(description="List of track UUIDs")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/batch/update", tags=["Track"], summary="Batch update tracks")
@not_implemented
async def post_tracks_batch_update(
    user: CurrentUser,
    body: Annotated[
        schemas.BatchUpdateRequest, Body(description="Track UUIDs + shared updates map")
    ],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/chunk", tags=["Track"], summary="Upload Chunk")
@not_implemented
async def post_tracks_chunk(
    user: CurrentUser,
    chunk: Annotated[UploadFile, File(description="Chunk Data")],
    upload_id: Annotated[str, Form(description="Upload ID")],
    chunk_number: Annotated[int, Form(description="Chunk Number")],
    total_chunks: Annotated[int, Form(description="Total Chunks")],
    total_size: Annotated[int, Form(description="Total Size")],
    filename: Annotated[str, Form(description="Filename")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/complete", tags=["Track"], summary="Complete Chunked Upload", status_code=201)
@not_implemented
async def post_tracks_complete(
    user: CurrentUser,
    body: Annotated[schemas.CompleteChunkedUploadRequest, Body(description="Upload ID")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/initiate", tags=["Track"], summary="Initiate Chunked Upload")
@not_implemented
async def post_tracks_initiate(
    user: CurrentUser,
    body: Annotated[schemas.InitiateChunkedUploadRequest, Body(description="Upload Metadata")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/quota/{id}", tags=["Track"], summary="Get Upload Quota")
@not_implemented
async def get_tracks_quota_id(
    user: CurrentUser,
    id: Annotated[str, Path(description="User ID or 'me' for current user")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/recommendations", tags=["Track"], summary="Get track recommendations")
@not_implemented
async def get_tracks_recommendations(
    user: CurrentUser,
    limit: Annotated[int | None, Query(description="Max items (max 100)")] = None,
    seed_track_id: Annotated[
        str | None, Query(description="Start from this track's similarity neighbours")
    ] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/resume/{uploadId}", tags=["Track"], summary="Resume Upload")
@not_implemented
async def get_tracks_resume_upload_id(
    user: CurrentUser,
    upload_id: Annotated[UUID, Path(description="Upload ID", alias="uploadId")],
) -> None:
    raise NotImplementedYet()


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
@not_implemented
async def delete_tracks_share_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Share UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/shared/{token}", tags=["Track"], summary="Get track by share token")
@not_implemented
async def get_tracks_shared_token(
    token: Annotated[str, Path(description="Opaque share token issued by CreateShare")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/suggested-tags", tags=["Track"], summary="Get suggested tags")
@not_implemented
async def get_tracks_suggested_tags(
    genre: Annotated[
        str | None,
        Query(
            description="Genre slug (pop, rock, electronic, hip-hop, jazz, classical, ambient, default)"
        ),
    ] = None,
) -> None:
    raise NotImplementedYet()


@router.delete("/tracks/{id}", tags=["Track"], summary="Delete track")
@not_implemented
async def delete_tracks_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}", tags=["Track"], summary="Get track by ID")
@not_implemented
async def get_tracks_id(
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.put("/tracks/{id}", tags=["Track"], summary="Update track metadata")
@not_implemented
async def put_tracks_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.UpdateTrackRequest, Body(description="Updated metadata")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/download", tags=["Track"], summary="Download a track")
@not_implemented
async def get_tracks_id_download(
    id: Annotated[UUID, Path(description="Track UUID")],
    share_token: Annotated[
        str | None, Query(description="Grants access without authentication for a limited time")
    ] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/history", tags=["Track"], summary="Get track history")
@not_implemented
async def get_tracks_id_history(
    id: Annotated[UUID, Path(description="Track UUID")],
    limit: Annotated[int | None, Query(description="Items per page")] = None,
    offset: Annotated[int | None, Query(description="Offset")] = None,
) -> None:
    raise NotImplementedYet()


@router.delete("/tracks/{id}/like", tags=["Track"], summary="Unlike a track")
@not_implemented
async def delete_tracks_id_like(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/{id}/like", tags=["Track"], summary="Like a track")
@not_implemented
async def post_tracks_id_like(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/likes", tags=["Track"], summary="Get track like status")
@not_implemented
async def get_tracks_id_likes(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/lyrics", tags=["Track"], summary="Get track lyrics")
@not_implemented
async def get_tracks_id_lyrics(
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.put("/tracks/{id}/lyrics", tags=["Track"], summary="Create or update track lyrics")
@not_implemented
async def put_tracks_id_lyrics(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.UpdateLyricsRequest, Body(description="Lyrics payload")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/{id}/play", tags=["Track"], summary="Record play event")
@not_implemented
async def post_tracks_id_play(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[
        schemas.RecordPlayRequest | None, Body(description="Playback metadata (optional)")
    ] = None,
) -> None:
    raise NotImplementedYet()


@router.delete("/tracks/{id}/repost", tags=["Track"], summary="Remove track repost")
@not_implemented
async def delete_tracks_id_repost(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/repost", tags=["Track"], summary="Get repost status")
@not_implemented
async def get_tracks_id_repost(
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/{id}/repost", tags=["Track"], summary="Repost a track")
@not_implemented
async def post_tracks_id_repost(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/{id}/share", tags=["Track"], summary="Create share link")
@not_implemented
async def post_tracks_id_share(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
    body: Annotated[schemas.CreateShareRequest, Body(description="Share parameters")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/stats", tags=["Track"], summary="Get track statistics")
@not_implemented
async def get_tracks_id_stats(
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/status", tags=["Track"], summary="Get Upload Status")
@not_implemented
async def get_tracks_id_status(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track ID")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/stream", tags=["Track"], summary="Stream a track (raw audio + Range)")
@not_implemented
async def get_tracks_id_stream(
    id: Annotated[UUID, Path(description="Track UUID")],
    share_token: Annotated[
        str | None, Query(description="Grants access without authentication")
    ] = None,
) -> None:
    raise NotImplementedYet()


@router.post(
    "/tracks/{id}/versions/{versionId}/restore", tags=["Track"], summary="Restore track version"
)
@not_implemented
async def post_tracks_id_versions_version_id_restore(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track UUID")],
    version_id: Annotated[UUID, Path(description="Version UUID", alias="versionId")],
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/waveform", tags=["Track"], summary="Get track waveform")
@not_implemented
async def get_tracks_id_waveform(
    id: Annotated[UUID, Path(description="Track UUID")],
) -> None:
    raise NotImplementedYet()
