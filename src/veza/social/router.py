"""HTTP routes of the social domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.auth.dependencies import OptionalUser
from veza.kit.dependencies import AppSettings, DbSession
from veza.kit.envelope import Envelope, ok
from veza.social import schemas, service

router = APIRouter()


@router.get("/social/trending", tags=["Social"], summary="Trending hashtags")
async def get_social_trending(
    session: DbSession,
    viewer: OptionalUser,
    settings: AppSettings,
    limit: Annotated[
        int | None, Query(description="Max tags to return (1..50, default 10)")
    ] = None,
) -> Envelope[schemas.Trending]:
    return ok(await service.trending(session, viewer, limit, settings.search))
