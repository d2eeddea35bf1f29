"""HTTP routes of the users domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented
from veza.users import schemas

router = APIRouter()


@router.get("/users", tags=["User"], summary="List Users")
@not_implemented
async def get_users(
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
    role: Annotated[str | None, Query(description="Filter by role")] = None,
    is_active: Annotated[bool | None, Query(description="Filter by active status")] = None,
    is_verified: Annotated[bool | None, Query(description="Filter by verified status")] = None,
    search: Annotated[
        str | None, Query(description="Search by username, email, first_name, last_name")
    ] = None,
    sort_by: Annotated[
        str | None, Query(description="Sort field (created_at, username, email, last_login_at)")
    ] = None,
    sort_order: Annotated[str | None, Query(description="Sort order (asc, desc)")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/users/by-username/{username}", tags=["User"], summary="Get Profile by Username")
@not_implemented
async def get_users_by_username_username(
    username: Annotated[str, Path(description="Username")],
) -> None:
    raise NotImplementedYet()


@router.get("/users/search", tags=["User"], summary="Search users")
@not_implemented
async def get_users_search(
    q: Annotated[str | None, Query(description="Full-text query")] = None,
    page: Annotated[int | None, Query(description="Page")] = None,
    limit: Annotated[int | None, Query(description="Items per page (max 100)")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/users/suggestions", tags=["User"], summary="Get follow suggestions")
@not_implemented
async def get_users_suggestions(
    user: CurrentUser,
    limit: Annotated[int | None, Query(description="Max items (max 50)")] = None,
) -> None:
    raise NotImplementedYet()


@router.delete("/users/{id}", tags=["User"], summary="Delete user")
@not_implemented
async def delete_users_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="User ID")],
) -> None:
    raise NotImplementedYet()


@router.get("/users/{id}", tags=["User"], summary="Get Profile by ID")
@not_implemented
async def get_users_id(
    id: Annotated[UUID, Path(description="User ID")],
) -> None:
    raise NotImplementedYet()


@router.put("/users/{id}", tags=["User"], summary="Update Profile")
@not_implemented
async def put_users_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="User ID")],
    body: Annotated[schemas.UpdateProfileRequest, Body(description="Profile Data")],
) -> None:
    raise NotImplementedYet()


@router.delete("/users/{id}/block", tags=["User"], summary="Unblock user")
@not_implemented
async def delete_users_id_block(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Target user UUID")],
) -> None:
    raise NotImplementedYet()


@router.post("/users/{id}/block", tags=["User"], summary="Block user")
@not_implemented
async def post_users_id_block(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Target user UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/users/{id}/completion", tags=["User"], summary="Get Profile Completion")
@not_implemented
async def get_users_id_completion(
    id: Annotated[UUID, Path(description="User ID")],
) -> None:
    raise NotImplementedYet()


@router.delete("/users/{id}/follow", tags=["User"], summary="Unfollow user")
@not_implemented
async def delete_users_id_follow(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Target user UUID")],
) -> None:
    raise NotImplementedYet()


@router.post("/users/{id}/follow", tags=["User"], summary="Follow user")
@not_implemented
async def post_users_id_follow(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Target user UUID")],
) -> None:
    raise NotImplementedYet()


@router.get("/users/{id}/likes", tags=["User"], summary="List tracks liked by a user")
@not_implemented
async def get_users_id_likes(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="User UUID")],
    limit: Annotated[int | None, Query(description="Items per page (max 100)")] = None,
    offset: Annotated[int | None, Query(description="Offset for pagination")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/users/{id}/reposts", tags=["User"], summary="List tracks reposted by a user")
@not_implemented
async def get_users_id_reposts(
    id: Annotated[UUID, Path(description="User UUID")],
    limit: Annotated[int | None, Query(description="Items per page (max 100)")] = None,
    offset: Annotated[int | None, Query(description="Offset for pagination")] = None,
) -> None:
    raise NotImplementedYet()
