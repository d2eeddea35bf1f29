"""HTTP routes of the users domain."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from veza.auth.cookies import clear_refresh_cookie
from veza.auth.dependencies import AuthCtx, CurrentUser, OptionalUser
from veza.auth.schemas import DeleteAccountRequest
from veza.kit.dependencies import DbSession, Paging
from veza.kit.envelope import Envelope, ok
from veza.kit.readlane import UUID_GROUP, LaneRoute
from veza.users import relations, schemas, service
from veza.users.dependencies import SocialConfig, UserListParams
from veza.users.paths import UserId

router = APIRouter()


@router.post(
    "/users/me/upgrade-creator",
    tags=["User"],
    summary="Become a creator",
    description="Sets role 'creator' and promoted_to_creator_at the first time; calling it again "
    "changes nothing. An addition the contract's User model refers to.",
    response_model_exclude_none=True,
)
async def post_users_me_upgrade_creator(
    user: CurrentUser, session: DbSession
) -> Envelope[schemas.UpgradeResult]:
    return ok(await service.upgrade_to_creator(session, user))


@router.get("/users", tags=["User"], summary="List Users", response_model_exclude_none=True)
async def get_users(
    session: DbSession,
    viewer: OptionalUser,
    paging: Paging,
    query: UserListParams,
) -> Envelope[schemas.UserList]:
    return ok(await service.list_users(session, viewer, query, paging))


@router.get(
    "/users/by-username/{username}",
    tags=["User"],
    summary="Get Profile by Username",
    response_model_exclude_none=True,
)
async def get_users_by_username_username(
    session: DbSession,
    viewer: OptionalUser,
    username: Annotated[str, Path(description="Username")],
) -> Envelope[schemas.ProfileData]:
    return ok(await service.get_profile_by_username(session, viewer, username))


@router.get(
    "/users/search", tags=["User"], summary="Search users", response_model_exclude_none=True
)
async def get_users_search(
    session: DbSession,
    viewer: OptionalUser,
    paging: Paging,
    q: Annotated[str | None, Query(description="Full-text query")] = None,
) -> Envelope[schemas.SearchResults]:
    return ok(await service.search(session, viewer, q, paging))


@router.get(
    "/users/suggestions",
    tags=["User"],
    summary="Get follow suggestions",
    response_model_exclude_none=True,
)
async def get_users_suggestions(
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int, Query(description="Max items (max 50)")] = 10,
) -> Envelope[schemas.Suggestions]:
    return ok(await service.suggestions(session, user, limit))


@router.delete(
    "/users/{id}",
    tags=["User"],
    summary="Delete user",
    description="Soft delete a user (only user owner or admin can delete). Deleting one's own "
    "account needs the body of DELETE /users/me (password, confirm_text) and follows its rules.",
)
async def delete_users_id(
    user: CurrentUser,
    session: DbSession,
    ctx: AuthCtx,
    response: Response,
    user_id: UserId,
    body: Annotated[
        DeleteAccountRequest | None,
        Body(description="Own account only: password, confirm_text (DELETE), reason"),
    ] = None,
) -> Envelope[schemas.Message]:
    result = await service.delete_user(session, user, user_id, body, account=ctx)
    if user_id == user.id:
        clear_refresh_cookie(response, ctx.settings)
    return ok(result)


@router.get(
    "/users/{id}",
    tags=["User"],
    summary="Get Profile by ID",
    response_model=Envelope[schemas.ProfileData],
    response_model_exclude_none=True,
)
async def get_users_id(
    session: DbSession,
    viewer: OptionalUser,
    user_id: UserId,
) -> Response:
    body = await service.profile_json(session, viewer, user_id)
    return Response(body, media_type="application/json")


async def _lane_profile(
    connection: AsyncConnection, path: re.Match[str], _: re.Match[bytes], __: Any
) -> bytes:
    return await service.profile_json(connection, None, UUID(path.group(1)))


# The anonymous read of GET /users/{id} in the read lane (kit/readlane.py).
LANE_ROUTES = (
    LaneRoute(
        "/api/v1/users/{id}",
        re.compile(f"/api/v1/users/{UUID_GROUP}"),
        re.compile(b""),
        _lane_profile,
    ),
)


@router.put(
    "/users/{id}", tags=["User"], summary="Update Profile", response_model_exclude_none=True
)
async def put_users_id(
    user: CurrentUser,
    session: DbSession,
    settings: SocialConfig,
    user_id: UserId,
    body: Annotated[schemas.UpdateProfileRequest, Body(description="Profile Data")],
) -> Envelope[schemas.ProfileData]:
    return ok(await service.update_profile(session, user, user_id, body, settings))


@router.delete("/users/{id}/block", tags=["User"], summary="Unblock user")
async def delete_users_id_block(
    user: CurrentUser,
    session: DbSession,
    user_id: UserId,
) -> Envelope[schemas.BlockResult]:
    return ok(await relations.unblock(session, user, user_id))


@router.post("/users/{id}/block", tags=["User"], summary="Block user")
async def post_users_id_block(
    user: CurrentUser,
    session: DbSession,
    user_id: UserId,
) -> Envelope[schemas.BlockResult]:
    return ok(await relations.block(session, user, user_id))


@router.get("/users/{id}/completion", tags=["User"], summary="Get Profile Completion")
async def get_users_id_completion(
    session: DbSession,
    user: CurrentUser,
    user_id: UserId,
) -> Envelope[schemas.Completion]:
    return ok(await service.completion(session, user, user_id))


@router.delete("/users/{id}/follow", tags=["User"], summary="Unfollow user")
async def delete_users_id_follow(
    user: CurrentUser,
    session: DbSession,
    user_id: UserId,
) -> Envelope[schemas.FollowResult]:
    return ok(await relations.unfollow(session, user, user_id))


@router.post("/users/{id}/follow", tags=["User"], summary="Follow user")
async def post_users_id_follow(
    user: CurrentUser,
    session: DbSession,
    user_id: UserId,
) -> Envelope[schemas.FollowResult]:
    return ok(await relations.follow(session, user, user_id))
