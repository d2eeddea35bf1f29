"""HTTP routes of engagement: likes, reposts, plays and stats of a track, and the users'
likes and reposts tabs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from veza.auth.dependencies import CurrentUser, OptionalUser
from veza.engagement import schemas, service
from veza.kit.dependencies import DbSession, PublicUrl, offset_params
from veza.kit.envelope import Envelope, ok
from veza.kit.pagination import OffsetParams
from veza.tracks.paths import TrackId
from veza.users.paths import UserId

router = APIRouter()

TabWindow = Annotated[OffsetParams, offset_params(service.TAB_DEFAULT_LIMIT)]


@router.delete("/tracks/{id}/like", tags=["Track"], summary="Unlike a track")
async def delete_tracks_id_like(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.LikeResult]:
    return ok(await service.unlike(session, user, track_id))


@router.post("/tracks/{id}/like", tags=["Track"], summary="Like a track")
async def post_tracks_id_like(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.LikeResult]:
    return ok(await service.like(session, user, track_id))


@router.get(
    "/tracks/{id}/likes",
    tags=["Track"],
    summary="Get track like status",
    response_model_exclude_none=True,
)
async def get_tracks_id_likes(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.LikeStatus]:
    return ok(await service.like_status(session, user, track_id))


@router.post("/tracks/{id}/play", tags=["Track"], summary="Record play event")
async def post_tracks_id_play(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    track_id: TrackId,
    body: Annotated[
        schemas.RecordPlayRequest | None, Body(description="Playback metadata (optional)")
    ] = None,
) -> Envelope[schemas.PlayResult]:
    client_ip = request.client.host if request.client else None
    return ok(await service.record_play(session, user, track_id, body, client_ip))


@router.delete("/tracks/{id}/repost", tags=["Track"], summary="Remove track repost")
async def delete_tracks_id_repost(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.RepostResult]:
    return ok(await service.unrepost(session, user, track_id))


@router.get("/tracks/{id}/repost", tags=["Track"], summary="Get repost status")
async def get_tracks_id_repost(
    viewer: OptionalUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.RepostStatus]:
    return ok(await service.repost_status(session, viewer, track_id))


@router.post("/tracks/{id}/repost", tags=["Track"], summary="Repost a track")
async def post_tracks_id_repost(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.RepostResult]:
    return ok(await service.repost(session, user, track_id))


@router.get(
    "/tracks/{id}/stats",
    tags=["Track"],
    summary="Get track statistics",
    response_model_exclude_none=True,
)
async def get_tracks_id_stats(
    viewer: OptionalUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.StatsData]:
    return ok(await service.stats(session, viewer, track_id))


@router.get(
    "/users/{id}/likes",
    tags=["User"],
    summary="List tracks liked by a user",
    response_model_exclude_none=True,
)
async def get_users_id_likes(
    user: CurrentUser,
    session: DbSession,
    public_url: PublicUrl,
    user_id: UserId,
    window: TabWindow,
) -> Envelope[schemas.UserTrackList]:
    return ok(await service.liked_tracks(session, user, user_id, window, public_url=public_url))


@router.get(
    "/users/{id}/reposts",
    tags=["User"],
    summary="List tracks reposted by a user",
    response_model_exclude_none=True,
)
async def get_users_id_reposts(
    viewer: OptionalUser,
    session: DbSession,
    public_url: PublicUrl,
    user_id: UserId,
    window: TabWindow,
) -> Envelope[schemas.UserTrackList]:
    return ok(
        await service.reposted_tracks(session, viewer, user_id, window, public_url=public_url)
    )
