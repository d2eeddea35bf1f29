"""HTTP routes of the social domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented

router = APIRouter()


@router.get("/social/trending", tags=["Social"], summary="Trending hashtags")
@not_implemented
async def get_social_trending(
    limit: Annotated[
        int | None, Query(description="Max tags to return (1..50, default 10)")
    ] = None,
) -> None:
    raise NotImplementedYet()
