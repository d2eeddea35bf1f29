"""Dependencies of the users domain: its settings and the GET /users query."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from veza.config import SocialSettings
from veza.users.schemas import UserListQuery


async def get_social_settings(request: Request) -> SocialSettings:
    settings: SocialSettings = request.app.state.settings.social
    return settings


SocialConfig = Annotated[SocialSettings, Depends(get_social_settings)]


async def user_list_query(
    role: Annotated[str | None, Query(description="Filter by role")] = None,
    is_active: Annotated[bool | None, Query(description="Filter by active status")] = None,
    is_verified: Annotated[bool | None, Query(description="Filter by verified status")] = None,
    search: Annotated[
        str | None, Query(description="Search by username, email, first_name, last_name")
    ] = None,
    sort_by: Annotated[
        str, Query(description="Sort field (created_at, username, email, last_login_at)")
    ] = "created_at",
    sort_order: Annotated[str, Query(description="Sort order (asc, desc)")] = "desc",
) -> UserListQuery:
    return UserListQuery(role, is_active, is_verified, search, sort_by, sort_order)


UserListParams = Annotated[UserListQuery, Depends(user_list_query)]
