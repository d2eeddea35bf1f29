"""HTTP routes of the audit domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented

router = APIRouter()


@router.get("/audit/activity", tags=["Audit"], summary="Get user activity")
@not_implemented
async def get_audit_activity(
    user: CurrentUser,
    limit: Annotated[int | None, Query(description="Number of activities to return")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/audit/logs", tags=["Audit"], summary="Search audit logs")
@not_implemented
async def get_audit_logs(
    user: CurrentUser,
    action: Annotated[str | None, Query(description="Filter by action type")] = None,
    resource: Annotated[str | None, Query(description="Filter by resource type")] = None,
    resource_id: Annotated[str | None, Query(description="Filter by resource ID (UUID)")] = None,
    ip_address: Annotated[str | None, Query(description="Filter by IP address")] = None,
    user_agent: Annotated[str | None, Query(description="Filter by user agent")] = None,
    start_date: Annotated[str | None, Query(description="Start date filter (YYYY-MM-DD)")] = None,
    end_date: Annotated[str | None, Query(description="End date filter (YYYY-MM-DD)")] = None,
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
    offset: Annotated[int | None, Query(description="Offset for pagination")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/audit/stats", tags=["Audit"], summary="Get audit statistics")
@not_implemented
async def get_audit_stats(
    user: CurrentUser,
    start_date: Annotated[str | None, Query(description="Start date (YYYY-MM-DD)")] = None,
    end_date: Annotated[str | None, Query(description="End date (YYYY-MM-DD)")] = None,
) -> None:
    raise NotImplementedYet()
