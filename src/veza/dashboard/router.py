"""HTTP routes of the dashboard domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented

router = APIRouter()


@router.get("/dashboard", tags=["Dashboard"], summary="Get Dashboard Data")
@not_implemented
async def get_dashboard(
    user: CurrentUser,
    activity_limit: Annotated[
        int | None, Query(description="Number of recent activity items (default: 10)")
    ] = None,
    library_limit: Annotated[
        int | None, Query(description="Number of library items (default: 5)")
    ] = None,
    stats_period: Annotated[
        str | None,
        Query(description="Time period for statistics: 7d, 30d, 90d, all (default: 30d)"),
    ] = None,
) -> None:
    raise NotImplementedYet()
