"""HTTP routes of the playlists domain. Static paths come before ``/playlists/{id}``."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.types import Scope

from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import DbSession
from veza.kit.envelope import Envelope, ok
from veza.kit.pagination import DEFAULT_LIMIT, PageParams, checked_limit, checked_page
from veza.kit.readlane import UUID_GROUP, LaneAnswer, LaneRoute
from veza.models import Viewer
from veza.playlists import (
    collaborators,
    copies,
    formats,
    items,
    schemas,
    service,
    sharing,
)
from veza.playlists.dependencies import IfMatch, Tools, playlist_tools
from veza.playlists.presenters import etag
from veza.playlists.schemas import CollaboratorId, PlaylistId

router = APIRouter()


def _with_etag(response: Response, snapshot_id: str) -> None:
    response.headers["ETag"] = etag(int(snapshot_id))


@router.get(
    "/playlists", tags=["Playlist"], summary="Get Playlists", response_model_exclude_none=True
)
async def get_playlists(
    user: CurrentUser,
    session: DbSession,
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
    user_id: Annotated[str | None, Query(description="Filter by User ID")] = None,
) -> Envelope[schemas.PlaylistList]:
    paging = PageParams(page=checked_page(page), limit=checked_limit(limit, default=DEFAULT_LIMIT))
    return ok(await service.list_playlists(session, user, paging, user_id))


@router.post(
    "/playlists",
    tags=["Playlist"],
    summary="Create Playlist",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_playlists(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    body: Annotated[schemas.CreatePlaylistRequest, Body(description="Playlist Metadata")],
) -> Envelope[schemas.PlaylistData]:
    return ok(await service.create_playlist(session, user, body, tools=tools))


@router.get(
    "/playlists/favoris",
    tags=["Playlist"],
    summary="Get Favoris playlist",
    response_model_exclude_none=True,
)
async def get_playlists_favoris(
    user: CurrentUser, session: DbSession, tools: Tools
) -> Envelope[schemas.PlaylistData]:
    return ok(await service.favorites(session, user, tools=tools))


@router.post(
    "/playlists/import",
    tags=["Playlist"],
    summary="Import playlist",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_playlists_import(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    body: Annotated[schemas.ImportPlaylistRequest, Body(description="Playlist + tracks")],
) -> Envelope[schemas.ImportResult]:
    return ok(await copies.import_playlist(session, user, body, tools=tools))


@router.get(
    "/playlists/recommendations",
    tags=["Playlist"],
    summary="Get playlist recommendations",
    response_model_exclude_none=True,
)
async def get_playlists_recommendations(
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int | None, Query(description="Max items (max 100)")] = None,
) -> Envelope[schemas.PlaylistRecommendations]:
    return ok(await service.recommendations(session, user, limit))


@router.get(
    "/playlists/shared/{token}",
    tags=["Playlist"],
    summary="Get playlist by share token",
    response_model_exclude_none=True,
)
async def get_playlists_shared_token(
    session: DbSession,
    tools: Tools,
    token: Annotated[str, Path(description="Share token")],
) -> Envelope[schemas.SharedPlaylistData]:
    return ok(await sharing.resolve(session, token, tools=tools))


@router.delete("/playlists/{id}", tags=["Playlist"], summary="Delete Playlist")
async def delete_playlists_id(
    user: CurrentUser, session: DbSession, tools: Tools, playlist_id: PlaylistId
) -> Envelope[schemas.Message]:
    return ok(await service.delete_playlist(session, user, playlist_id, tools=tools))


@router.get(
    "/playlists/{id}",
    tags=["Playlist"],
    summary="Get Playlist by ID",
    response_model=Envelope[schemas.PlaylistData],
    response_model_exclude_none=True,
)
async def get_playlists_id(
    user: CurrentUser, session: DbSession, tools: Tools, playlist_id: PlaylistId
) -> Response:
    page = await service.get_playlist(session, user, playlist_id, tools=tools)
    return Response(
        page.content, media_type="application/json", headers={"ETag": etag(page.version)}
    )


# The read of the route above in the read lane (kit/readlane.py), for a caller the lane
# authenticated as the API does (the route requires one: without a token, the API's 401).
async def _lane_playlist(
    connection: AsyncConnection,
    path: re.Match[str],
    _: re.Match[bytes],
    state: Any,
    scope: Scope,
    caller: Viewer,
) -> LaneAnswer:
    tools = playlist_tools(state, scope)
    page = await service.get_playlist(connection, caller, UUID(path.group(1)), tools=tools)
    return LaneAnswer(page.content, ((b"etag", etag(page.version).encode("latin-1")),))


LANE_ROUTES = (
    LaneRoute(
        "/api/v1/playlists/{id}",
        re.compile(f"/api/v1/playlists/{UUID_GROUP}"),
        re.compile(b""),
        None,
        _lane_playlist,
    ),
)


@router.put(
    "/playlists/{id}",
    tags=["Playlist"],
    summary="Update Playlist",
    response_model_exclude_none=True,
)
async def put_playlists_id(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    response: Response,
    playlist_id: PlaylistId,
    body: Annotated[schemas.UpdatePlaylistRequest, Body(description="Playlist Metadata")],
    if_match: IfMatch = None,
) -> Envelope[schemas.PlaylistData]:
    data = await service.update_playlist(
        session, user, playlist_id, body, tools=tools, if_match=if_match
    )
    _with_etag(response, data.playlist.snapshot_id)
    return ok(data)


@router.get("/playlists/{id}/analytics", tags=["Playlist"], summary="Get playlist statistics")
async def get_playlists_id_analytics(
    user: CurrentUser, session: DbSession, playlist_id: PlaylistId
) -> Envelope[schemas.PlaylistAnalytics]:
    return ok(await service.analytics(session, user, playlist_id))


@router.get(
    "/playlists/{id}/collaborators",
    tags=["Playlist"],
    summary="List playlist collaborators",
    response_model_exclude_none=True,
)
async def get_playlists_id_collaborators(
    user: CurrentUser, session: DbSession, playlist_id: PlaylistId
) -> Envelope[schemas.CollaboratorList]:
    return ok(await collaborators.list_collaborators(session, user, playlist_id))


@router.post(
    "/playlists/{id}/collaborators",
    tags=["Playlist"],
    summary="Add playlist collaborator",
    response_model_exclude_none=True,
)
async def post_playlists_id_collaborators(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    playlist_id: PlaylistId,
    body: Annotated[schemas.AddCollaboratorRequest, Body(description="Collaborator + permission")],
) -> Envelope[schemas.CollaboratorData]:
    return ok(await collaborators.add_collaborator(session, user, playlist_id, body, tools=tools))


@router.delete(
    "/playlists/{id}/collaborators/{userId}",
    tags=["Playlist"],
    summary="Remove playlist collaborator",
)
async def delete_playlists_id_collaborators_user_id(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    playlist_id: PlaylistId,
    user_id: CollaboratorId,
) -> Envelope[schemas.Message]:
    return ok(
        await collaborators.remove_collaborator(session, user, playlist_id, user_id, tools=tools)
    )


@router.put(
    "/playlists/{id}/collaborators/{userId}",
    tags=["Playlist"],
    summary="Update collaborator permission",
    response_model_exclude_none=True,
)
async def put_playlists_id_collaborators_user_id(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    playlist_id: PlaylistId,
    user_id: CollaboratorId,
    body: Annotated[
        schemas.UpdateCollaboratorPermissionRequest, Body(description="New permission")
    ],
) -> Envelope[schemas.CollaboratorData]:
    return ok(
        await collaborators.update_collaborator(
            session, user, playlist_id, user_id, body, tools=tools
        )
    )


@router.post(
    "/playlists/{id}/duplicate",
    tags=["Playlist"],
    summary="Duplicate playlist",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_playlists_id_duplicate(
    user: CurrentUser, session: DbSession, tools: Tools, playlist_id: PlaylistId
) -> Envelope[schemas.PlaylistData]:
    return ok(await copies.duplicate(session, user, playlist_id, tools=tools))


@router.get(
    "/playlists/{id}/export",
    tags=["Playlist"],
    summary="Export a playlist (JSPF, M3U8 or XSPF)",
    response_class=Response,
    responses={
        200: {
            "description": "The playlist document",
            "content": {media: {} for media in formats.FORMATS.values()},
        }
    },
)
async def get_playlists_id_export(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    playlist_id: PlaylistId,
    format: Annotated[str | None, Query(description="jspf (default), m3u8 or xspf")] = None,
) -> Response:
    export = await formats.export_playlist(session, user, playlist_id, format, tools=tools)
    disposition = f'attachment; filename="{export.filename}"'
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": disposition},
    )


@router.post("/playlists/{id}/share", tags=["Playlist"], summary="Create playlist share link")
async def post_playlists_id_share(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    playlist_id: PlaylistId,
    body: Annotated[
        schemas.CreateShareRequest | None, Body(description="Optional: the link's expiry")
    ] = None,
) -> Envelope[schemas.ShareData]:
    return ok(await sharing.create_share(session, user, playlist_id, body, tools=tools))


@router.delete(
    "/playlists/{id}/shares/{shareId}", tags=["Playlist"], summary="Revoke playlist share link"
)
async def delete_playlists_id_shares_share_id(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    playlist_id: PlaylistId,
    share_id: Annotated[UUID, Path(alias="shareId", description="Share link UUID")],
) -> Envelope[schemas.Message]:
    return ok(await sharing.revoke_share(session, user, playlist_id, share_id, tools=tools))


@router.post("/playlists/{id}/tracks", tags=["Playlist"], summary="Add Track to Playlist")
async def post_playlists_id_tracks(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    response: Response,
    playlist_id: PlaylistId,
    body: Annotated[schemas.PostPlaylistsIdTracksBody, Body(description="Track ID (in body)")],
    if_match: IfMatch = None,
) -> Envelope[schemas.EditResult]:
    result = await items.add_track(session, user, playlist_id, body, tools=tools, if_match=if_match)
    _with_etag(response, result.snapshot_id)
    return ok(result)


@router.put("/playlists/{id}/tracks/reorder", tags=["Playlist"], summary="Reorder Tracks")
async def put_playlists_id_tracks_reorder(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    response: Response,
    playlist_id: PlaylistId,
    body: Annotated[schemas.ReorderTracksRequest, Body(description="New Track Order")],
    if_match: IfMatch = None,
) -> Envelope[schemas.EditResult]:
    result = await items.reorder_tracks(
        session, user, playlist_id, body, tools=tools, if_match=if_match
    )
    _with_etag(response, result.snapshot_id)
    return ok(result)


@router.delete(
    "/playlists/{id}/tracks/{trackId}", tags=["Playlist"], summary="Remove Track from Playlist"
)
async def delete_playlists_id_tracks_track_id(
    user: CurrentUser,
    session: DbSession,
    tools: Tools,
    response: Response,
    playlist_id: PlaylistId,
    track_id: Annotated[UUID, Path(description="Track ID", alias="trackId")],
    if_match: IfMatch = None,
) -> Envelope[schemas.EditResult]:
    result = await items.remove_track(
        session, user, playlist_id, track_id, tools=tools, if_match=if_match
    )
    _with_etag(response, result.snapshot_id)
    return ok(result)
