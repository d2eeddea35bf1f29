"""HTTP routes of the audit domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veza.audit import reading, schemas
from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import DbSession
from veza.kit.envelope import Envelope, ok

router = APIRouter()


@router.get("/audit/activity", tags=["Audit"], summary="Get user activity")
async def get_audit_activity(
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[
        int | None, Query(description="Number of activities to return (default 50, max 100)")
    ] = None,
) -> Envelope[schemas.Activities]:
    return ok(await reading.activity(session, user, limit))


@router.get("/audit/logs", tags=["Audit"], summary="Search audit logs")
async def get_audit_logs(
    session: DbSession,
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
) -> Envelope[schemas.AuditLogPage]:
    return ok(
        await reading.search_logs(
            session,
            user,
            action=action,
            resource=resource,
            resource_id=resource_id,
            ip_address=ip_address,
            user_agent=user_agent,
            start_date=start_date,
            end_date=end_date,
            page=page,
            limit=limit,
            offset=offset,
        )
    )


@router.get("/audit/stats", tags=["Audit"], summary="Get audit statistics")
async def get_audit_stats(
    session: DbSession,
    user: CurrentUser,
    start_date: Annotated[str | None, Query(description="Start date (YYYY-MM-DD)")] = None,
    end_date: Annotated[str | None, Query(description="End date (YYYY-MM-DD)")] = None,
) -> Envelope[schemas.AuditStats]:
    return ok(await reading.stats(session, user, start_date, end_date))
