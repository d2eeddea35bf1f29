"""HTTP routes of the dashboard domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.auth.dependencies import CurrentUser
from veza.dashboard import schemas, service
from veza.kit.dependencies import DbSession
from veza.kit.envelope import Envelope, ok

router = APIRouter()


@router.get("/dashboard", tags=["Dashboard"], summary="Get Dashboard Data")
async def get_dashboard(
    session: DbSession,
    user: CurrentUser,
    activity_limit: Annotated[
        int | None, Query(description="Number of recent activity items (default: 10, max 50)")
    ] = None,
    library_limit: Annotated[
        int | None, Query(description="Number of library items (default: 5, max 50)")
    ] = None,
    stats_period: Annotated[
        str | None,
        Query(description="Time period for statistics: 7d, 30d, 90d, all (default: 30d)"),
    ] = None,
) -> Envelope[schemas.DashboardResponse]:
    return ok(
        await service.dashboard(
            session,
            user,
            activity_limit=activity_limit,
            library_limit=library_limit,
            stats_period=stats_period,
        )
    )
