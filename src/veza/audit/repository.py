"""Queries of the audit read API. Readable by: administrators read every row, anyone else
the rows of their own actions (``readable_by``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import page
from veza.models import AuditLog, User


def readable_by(viewer: User) -> ColumnElement[bool]:
    """The one rule: administrators see everyone's rows, others only their own."""
    if viewer.is_administrator:
        return true()
    return AuditLog.user_id == viewer.id


@dataclass(frozen=True)
class LogFilter:
    action: str | None = None
    resource: str | None = None
    resource_id: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None  # a substring of the user agent
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive


def _filtered(viewer: User, where: LogFilter) -> Select[Any]:
    statement = select(AuditLog).where(readable_by(viewer))
    if where.action:
        statement = statement.where(AuditLog.action == where.action)
    if where.resource:
        statement = statement.where(AuditLog.resource == where.resource)
    if where.resource_id:
        statement = statement.where(AuditLog.resource_id == where.resource_id)
    if where.ip_address:
        statement = statement.where(AuditLog.ip_address == where.ip_address)
    if where.user_agent:
        statement = statement.where(AuditLog.user_agent.contains(where.user_agent, autoescape=True))
    if where.start is not None:
        statement = statement.where(AuditLog.created_at >= where.start)
    if where.end is not None:
        statement = statement.where(AuditLog.created_at < where.end)
    return statement


async def logs_page(
    session: AsyncSession, viewer: User, where: LogFilter, *, offset: int, limit: int
) -> tuple[list[AuditLog], int]:
    return await page(
        session,
        _filtered(viewer, where),
        [AuditLog.created_at.desc(), AuditLog.id.desc()],
        offset=offset,
        limit=limit,
    )


async def recent_of(session: AsyncSession, user_id: Any, limit: int) -> list[AuditLog]:
    rows = await session.scalars(
        select(AuditLog)
        .where(AuditLog.user_id == user_id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return list(rows)


async def counts_by_action(session: AsyncSession, viewer: User, where: LogFilter) -> dict[str, int]:
    filtered = _filtered(viewer, where).subquery()
    rows = await session.execute(
        select(filtered.c.action, func.count())
        .group_by(filtered.c.action)
        .order_by(filtered.c.action)
    )
    return {action: int(count) for action, count in rows}
