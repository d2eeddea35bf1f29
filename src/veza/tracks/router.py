"""HTTP routes of the catalog: tracks, batches, lyrics, discovery, history, versions, shares.

Static paths come before ``/tracks/{id}`` (``/tracks/recommendations``, ``/tracks/shared/...``);
the other routers of the tracks family are mounted around this one in app.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from veza.auth.dependencies import CurrentUser, OptionalUser
from veza.kit.db import Reads
from veza.kit.dependencies import AppSettings, DbSession, PublicUrl, offset_params
from veza.kit.envelope import Envelope, ok
from veza.kit.pagination import OffsetParams
from veza.kit.readlane import UUID_GROUP, LaneRoute
from veza.models import Viewer
from veza.tracks import history, lyrics, recommendations, schemas, service, sharing, versions
from veza.tracks.paths import TrackId

router = APIRouter()


@router.get(
    "/tracks",
    tags=["Track"],
    summary="List tracks",
    response_model=Envelope[schemas.TrackList],
    response_model_exclude_none=True,
)
async def get_tracks(
    viewer: OptionalUser,
    session: DbSession,
    public_url: PublicUrl,
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
) -> Response:
    return Response(
        await service.list_tracks(
            session,
            viewer,
            public_url=public_url,
            cursor=cursor,
            page=page,
            limit=limit,
            user_id=user_id,
            genre=genre,
            format=format,
            sort_by=sort_by,
        ),
        media_type="application/json",
    )


@router.post("/tracks/batch/delete", tags=["Track"], summary="Batch delete tracks")
async def post_tracks_batch_delete(
    user: CurrentUser,
    session: DbSession,
    body: Annotated[schemas.BatchDeleteRequest, Body(description="List of track UUIDs")],
) -> Envelope[schemas.BatchDeleteResult]:
    return ok(await service.batch_delete(session, user, body))


@router.post("/tracks/batch/update", tags=["Track"], summary="Batch update tracks")
async def post_tracks_batch_update(
    user: CurrentUser,
    session: DbSession,
    body: Annotated[
        schemas.BatchUpdateRequest, Body(description="Track UUIDs + shared updates map")
    ],
) -> Envelope[schemas.BatchUpdateResult]:
    return ok(await service.batch_update(session, user, body))


@router.get(
    "/tracks/recommendations",
    tags=["Track"],
    summary="Get track recommendations",
    response_model_exclude_none=True,
)
async def get_tracks_recommendations(
    user: CurrentUser,
    session: DbSession,
    public_url: PublicUrl,
    limit: Annotated[int | None, Query(description="Max items (max 100)")] = None,
    seed_track_id: Annotated[
        str | None, Query(description="Start from this track's similarity neighbours")
    ] = None,
) -> Envelope[schemas.Recommendations]:
    return ok(
        await recommendations.recommendations(
            session, user, limit, seed_track_id, public_url=public_url
        )
    )


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
    public_url: PublicUrl,
    token: Annotated[str, Path(description="Opaque share token issued by CreateShare")],
) -> Envelope[schemas.SharedTrackData]:
    return ok(await sharing.resolve(session, token, public_url=public_url))


@router.get("/tracks/suggested-tags", tags=["Track"], summary="Get suggested tags")
async def get_tracks_suggested_tags(
    genre: Annotated[
        str | None,
        Query(
            description="Genre slug (pop, rock, electronic, hip-hop, jazz, classical, ambient, default)"
        ),
    ] = None,
) -> Envelope[schemas.SuggestedTags]:
    return ok(recommendations.suggested_tags(genre))


@router.delete("/tracks/{id}", tags=["Track"], summary="Delete track")
async def delete_tracks_id(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.MessageResponse]:
    return ok(await service.delete_track(session, user, track_id))


@router.get(
    "/tracks/{id}",
    tags=["Track"],
    summary="Get track by ID",
    response_model=Envelope[schemas.TrackEnvelopeData],
    response_model_exclude_none=True,
)
async def get_tracks_id(
    viewer: OptionalUser, session: DbSession, public_url: PublicUrl, track_id: TrackId
) -> Response:
    return Response(
        await service.get_track(session, viewer, track_id, public_url=public_url),
        media_type="application/json",
    )


# The reads of the two routes above in the read lane (kit/readlane.py): the same service
# calls, for the requests the lane takes (no query but ``limit``, a canonical id). The catalog
# is read there signed in too (the caller authenticated by the lane as the API does).
async def _lane_tracks_for(
    reads: Reads, viewer: Viewer | None, query: re.Match[bytes], state: Any
) -> bytes:
    limit = query.group(1)
    return await service.list_tracks(
        reads,
        viewer,
        public_url=state.settings.server.public_url,
        cursor=None,
        page=None,
        limit=int(limit) if limit else None,
        user_id=None,
        genre=None,
        format=None,
        sort_by=None,
    )


async def _lane_tracks(
    connection: AsyncConnection, _: re.Match[str], query: re.Match[bytes], state: Any
) -> bytes:
    return await _lane_tracks_for(connection, None, query, state)


async def _lane_member_tracks(
    connection: AsyncConnection,
    _: re.Match[str],
    query: re.Match[bytes],
    state: Any,
    __: Any,
    viewer: Viewer,
) -> bytes:
    return await _lane_tracks_for(connection, viewer, query, state)


async def _lane_track(
    connection: AsyncConnection, path: re.Match[str], _: re.Match[bytes], state: Any
) -> bytes:
    return await service.get_track(
        connection, None, UUID(path.group(1)), public_url=state.settings.server.public_url
    )


LANE_ROUTES = (
    LaneRoute(
        "/api/v1/tracks",
        re.compile("/api/v1/tracks"),
        re.compile(rb"(?:limit=([0-9]{1,3}))?"),
        _lane_tracks,
        _lane_member_tracks,
    ),
    LaneRoute(
        "/api/v1/tracks/{id}",
        re.compile(f"/api/v1/tracks/{UUID_GROUP}"),
        re.compile(b""),
        _lane_track,
    ),
)


@router.put(
    "/tracks/{id}",
    tags=["Track"],
    summary="Update track metadata",
    response_model_exclude_none=True,
)
async def put_tracks_id(
    user: CurrentUser,
    session: DbSession,
    public_url: PublicUrl,
    track_id: TrackId,
    body: Annotated[schemas.UpdateTrackRequest, Body(description="Updated metadata")],
) -> Envelope[schemas.TrackEnvelopeData]:
    return ok(await service.update_track(session, user, track_id, body, public_url=public_url))


@router.get("/tracks/{id}/history", tags=["Track"], summary="Get track history")
async def get_tracks_id_history(
    viewer: OptionalUser,
    session: DbSession,
    track_id: TrackId,
    window: Annotated[OffsetParams, offset_params(50)],
) -> Envelope[schemas.HistoryResponse]:
    return ok(await history.history(session, viewer, track_id, window))


@router.get("/tracks/{id}/lyrics", tags=["Track"], summary="Get track lyrics")
async def get_tracks_id_lyrics(
    viewer: OptionalUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.LyricsData]:
    return ok(await lyrics.get_lyrics(session, viewer, track_id))


@router.put("/tracks/{id}/lyrics", tags=["Track"], summary="Create or update track lyrics")
async def put_tracks_id_lyrics(
    user: CurrentUser,
    session: DbSession,
    track_id: TrackId,
    body: Annotated[schemas.UpdateLyricsRequest, Body(description="Lyrics payload")],
) -> Envelope[schemas.LyricsData]:
    return ok(await lyrics.put_lyrics(session, user, track_id, body))


@router.post(
    "/tracks/{id}/share",
    tags=["Track"],
    summary="Create share link",
    response_model_exclude_none=True,
)
async def post_tracks_id_share(
    user: CurrentUser,
    session: DbSession,
    public_url: PublicUrl,
    settings: AppSettings,
    track_id: TrackId,
    body: Annotated[schemas.CreateShareRequest, Body(description="Share parameters")],
) -> Envelope[schemas.ShareData]:
    web_app_url = settings.server.frontend_url
    return ok(
        await sharing.create_share(
            session, user, track_id, body, public_url=public_url, web_app_url=web_app_url
        )
    )


@router.get(
    "/tracks/{id}/versions",
    tags=["Track"],
    summary="List track versions (owner or admin)",
    response_model_exclude_none=True,
)
async def get_tracks_id_versions(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.VersionListResponse]:
    return ok(await versions.list_versions(session, user, track_id))


@router.post(
    "/tracks/{id}/versions/{versionId}/restore",
    tags=["Track"],
    summary="Restore track version",
    response_model_exclude_none=True,
)
async def post_tracks_id_versions_version_id_restore(
    user: CurrentUser,
    session: DbSession,
    public_url: PublicUrl,
    track_id: TrackId,
    version_id: Annotated[UUID, Path(description="Version UUID", alias="versionId")],
) -> Envelope[schemas.RestoreResponse]:
    return ok(
        await versions.restore_version(session, user, track_id, version_id, public_url=public_url)
    )
