"""HTTP routes of the playlists domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented
from veza.playlists import schemas

router = APIRouter()


@router.get("/playlists", tags=["Playlist"], summary="Get Playlists")
@not_implemented
async def get_playlists(
    user: CurrentUser,
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
    user_id: Annotated[str | None, Query(description="Filter by User ID")] = None,
) -> None:
    raise NotImplementedYet()


@router.post("/playlists", tags=["Playlist"], summary="Create Playlist", status_code=201)
@not_implemented
async def post_playlists(
    user: CurrentUser,
    body: Annotated[schemas.CreatePlaylistRequest, Body(description="Playlist Metadata")],
) -> None:
    raise NotImplementedYet()


@router.get("/playlists/favoris", tags=["Playlist"], summary="Get Favoris playlist")
@not_implemented
async def get_playlists_favoris(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.post("/playlists/import", tags=["Playlist"], summary="Import playlist", status_code=201)
@not_implemented
async def post_playlists_import(
    user: CurrentUser,
    body: Annotated[schemas.ImportPlaylistRequest, Body(description="Playlist + tracks")],
) -> None:
    raise NotImplementedYet()


@router.get("/playlists/recommendations", tags=["Playlist"], summary="Get playlist recommendations")
@not_implemented
async def get_playlists_recommendations(
    user: CurrentUser,
    limit: Annotated[int | None, Query(description="Max items (max 100)")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/playlists/shared/{token}", tags=["Playlist"], summary="Get playlist by share token")
@not_implemented
async def get_playlists_shared_token(
    token: Annotated[str, Path(description="Share token")],
) -> None:
    raise NotImplementedYet()


@router.delete("/playlists/{id}", tags=["Playlist"], summary="Delete Playlist")
@not_implemented
async def delete_playlists_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist ID")],
) -> None:
    raise NotImplementedYet()


@router.get("/playlists/{id}", tags=["Playlist"], summary="Get Playlist by ID")
@not_implemented
async def get_playlists_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist ID")],
) -> None:
    raise NotImplementedYet()


@router.put("/playlists/{id}", tags=["Playlist"], summary="Update Playlist")
@not_implemented
async def put_playlists_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist ID")],
    body: Annotated[schemas.UpdatePlaylistRequest, Body(description="Playlist Metadata")],
) -> None:
    raise NotImplementedYet()


@router.get("/playlists/{id}/analytics", tags=["Playlist"], summary="Get playlist statistics")
@not_implemented
async def get_playlists_id_analytics(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist UUID")],
) -> None:
    raise NotImplementedYet()


@router.get(
    "/playlists/{id}/collaborators", tags=["Playlist"], summary="List playlist collaborators"
)
@not_implemented
async def get_playlists_id_collaborators(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist UUID")],
) -> None:
    raise NotImplementedYet()


@router.post(
    "/playlists/{id}/collaborators", tags=["Playlist"], summary="Add playlist collaborator"
)
@not_implemented
async def post_playlists_id_collaborators(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist UUID")],
    body: Annotated[schemas.AddCollaboratorRequest, Body(description="Collaborator + permission")],
) -> None:
    raise NotImplementedYet()


@router.delete(
    "/playlists/{id}/collaborators/{userId}",
    tags=["Playlist"],
    summary="Remove playlist collaborator",
)
@not_implemented
async def delete_playlists_id_collaborators_user_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist UUID")],
    user_id: Annotated[UUID, Path(description="Collaborator user UUID", alias="userId")],
) -> None:
    raise NotImplementedYet()


@router.put(
    "/playlists/{id}/collaborators/{userId}",
    tags=["Playlist"],
    summary="Update collaborator permission",
)
@not_implemented
async def put_playlists_id_collaborators_user_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist UUID")],
    user_id: Annotated[UUID, Path(description="Collaborator user UUID", alias="userId")],
    body: Annotated[
        schemas.UpdateCollaboratorPermissionRequest, Body(description="New permission")
    ],
) -> None:
    raise NotImplementedYet()


@router.post(
    "/playlists/{id}/duplicate", tags=["Playlist"], summary="Duplicate playlist", status_code=201
)
@not_implemented
async def post_playlists_id_duplicate(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Source playlist UUID")],
) -> None:
    raise NotImplementedYet()


@router.post("/playlists/{id}/share", tags=["Playlist"], summary="Create playlist share link")
@not_implemented
async def post_playlists_id_share(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist UUID")],
) -> None:
    raise NotImplementedYet()


@router.post("/playlists/{id}/tracks", tags=["Playlist"], summary="Add Track to Playlist")
@not_implemented
async def post_playlists_id_tracks(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist ID")],
    body: Annotated[schemas.PostPlaylistsIdTracksBody, Body(description="Track ID (in body)")],
) -> None:
    raise NotImplementedYet()


@router.put("/playlists/{id}/tracks/reorder", tags=["Playlist"], summary="Reorder Tracks")
@not_implemented
async def put_playlists_id_tracks_reorder(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist ID")],
    body: Annotated[schemas.ReorderTracksRequest, Body(description="New Track Order")],
) -> None:
    raise NotImplementedYet()


@router.delete(
    "/playlists/{id}/tracks/{trackId}", tags=["Playlist"], summary="Remove Track from Playlist"
)
@not_implemented
async def delete_playlists_id_tracks_track_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Playlist ID")],
    track_id: Annotated[UUID, Path(description="Track ID", alias="trackId")],
) -> None:
    raise NotImplementedYet()
