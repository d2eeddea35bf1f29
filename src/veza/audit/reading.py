"""The audit read API's rules: who reads what, filters and dates, the stats."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit import repository, schemas
from veza.audit.repository import LogFilter
from veza.kit.errors import ValidationFailed
from veza.kit.pagination import MAX_OFFSET, PageParams, checked_limit, checked_page, pagination
from veza.models import AuditLog, User

ACTIVITY_DEFAULT = 50
ACTIVITY_MAX = 100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(field: str, value: str | None) -> date | None:
    """A YYYY-MM-DD day, or 400 naming the field."""
    if value is None or value == "":
        return None
    if not _DATE.fullmatch(value):
        raise ValidationFailed.field(field, "must be a date as YYYY-MM-DD", value)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed.field(field, "not a calendar date", value) from exc


def day_range(
    start_date: str | None, end_date: str | None
) -> tuple[datetime | None, datetime | None]:
    """[start of start_date, end of end_date) in UTC; both days are included."""
    start, end = parse_day("start_date", start_date), parse_day("end_date", end_date)
    if start is not None and end is not None and start > end:
        raise ValidationFailed.field("end_date", "must not be before start_date", end_date)
    since = datetime.combine(start, time.min, UTC) if start else None
    until = None
    if end is not None:
        until = datetime.combine(end, time.min, UTC) + timedelta(days=1) if end < date.max else None
    return since, until


def log_response(row: AuditLog, viewer: User) -> schemas.AuditLogResponse:
    shows_origin = viewer.is_administrator or row.user_id == viewer.id
    return schemas.AuditLogResponse(
        id=row.id,
        user_id=row.user_id,
        action=row.action,
        resource=row.resource,
        resource_id=row.resource_id,
        ip_address=row.ip_address if shows_origin else None,
        user_agent=row.user_agent if shows_origin else None,
        details=row.details,
        created_at=row.created_at,
        seq=row.seq,
        hash=row.hash,
    )


def _short(field: str, value: str | None, maximum: int) -> str | None:
    if value is not None and len(value) > maximum:
        raise ValidationFailed.field(field, f"must be at most {maximum} characters", value[:80])
    return value or None


async def search_logs(
    session: AsyncSession,
    viewer: User,
    *,
    action: str | None,
    resource: str | None,
    resource_id: str | None,
    ip_address: str | None,
    user_agent: str | None,
    start_date: str | None,
    end_date: str | None,
    page: int | None,
    limit: int | None,
    offset: int | None,
) -> schemas.AuditLogPage:
    since, until = day_range(start_date, end_date)
    where = LogFilter(
        action=_short("action", action, 64),
        resource=_short("resource", resource, 64),
        resource_id=_short("resource_id", resource_id, 64),
        ip_address=_short("ip_address", ip_address, 45),
        user_agent=_short("user_agent", user_agent, 512),
        start=since,
        end=until,
    )
    size = checked_limit(limit)
    if offset is not None:
        if offset < 0:
            raise ValidationFailed.field("offset", "must not be negative", offset)
        start = min(offset, MAX_OFFSET)
        paging = PageParams(page=start // size + 1, limit=size)
    else:
        paging = PageParams(page=checked_page(page), limit=size)
        start = paging.offset
    rows, total = await repository.logs_page(session, viewer, where, offset=start, limit=size)
    return schemas.AuditLogPage(
        logs=[log_response(row, viewer) for row in rows], pagination=pagination(paging, total)
    )


async def activity(session: AsyncSession, viewer: User, limit: int | None) -> schemas.Activities:
    size = min(max(limit if limit is not None else ACTIVITY_DEFAULT, 1), ACTIVITY_MAX)
    rows = await repository.recent_of(session, viewer.id, size)
    return schemas.Activities(activities=[log_response(row, viewer) for row in rows])


async def stats(
    session: AsyncSession, viewer: User, start_date: str | None, end_date: str | None
) -> schemas.AuditStats:
    since, until = day_range(start_date, end_date)
    counts = await repository.counts_by_action(session, viewer, LogFilter(start=since, end=until))
    return schemas.AuditStats(
        stats=schemas.AuditStatsData(
            total=sum(counts.values()),
            by_action=counts,
            start_date=start_date or None,
            end_date=end_date or None,
            scope="all" if viewer.is_administrator else "own",
        )
    )
