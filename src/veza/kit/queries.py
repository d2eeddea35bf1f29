"""Query vocabulary shared by every repository: dialect-aware inserts, row counts, pages.

SQLite and PostgreSQL both have ``INSERT ... ON CONFLICT``, but SQLAlchemy builds it from a
dialect-specific ``insert``; these helpers pick it from the session, so a repository states
what it wants ("insert unless present", "insert or update these columns") once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.pagination import MAX_OFFSET


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def dialect_insert(session: AsyncSession, model: Any) -> Any:
    """``INSERT INTO model`` in the session's dialect (with ``on_conflict_*`` available)."""
    return (postgresql.insert if _is_postgres(session) else sqlite.insert)(model)


def insert_ignoring_duplicates(session: AsyncSession, model: Any, **values: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING``: of concurrent identical inserts, one writes a
    row and the others do nothing (``rowcount`` says which)."""
    return dialect_insert(session, model).values(**values).on_conflict_do_nothing()


def upsert(
    session: AsyncSession,
    model: Any,
    values: Mapping[str, Any],
    *,
    conflict: Iterable[str],
    update: Iterable[str] | Mapping[str, Any],
    where: ColumnElement[bool] | None = None,
) -> Any:
    """``INSERT ... ON CONFLICT (conflict) DO UPDATE``: ``update`` names the columns taken
    from the proposed row, or maps columns to values; ``where`` makes the update conditional."""
    statement = dialect_insert(session, model).values(**values)
    changes = (
        dict(update)
        if isinstance(update, Mapping)
        else {name: statement.excluded[name] for name in update}
    )
    return statement.on_conflict_do_update(index_elements=list(conflict), set_=changes, where=where)


def rowcount(result: Any) -> int:
    """Rows an INSERT, UPDATE or DELETE touched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


def greatest(session: AsyncSession, *values: Any) -> Any:
    """SQL's larger-of: ``GREATEST`` on PostgreSQL, the scalar ``MAX`` on SQLite."""
    return (func.greatest if _is_postgres(session) else func.max)(*values)


async def page(
    session: AsyncSession,
    statement: Select[Any],
    order_by: Sequence[Any],
    *,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    """One page of ``statement``'s rows in ``order_by`` order, and how many rows it has in all
    (an offset past what a database can represent is simply an empty page)."""
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(
        statement.order_by(*order_by).offset(min(offset, MAX_OFFSET)).limit(limit)
    )
    return list(rows), int(total or 0)
