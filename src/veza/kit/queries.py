"""Query vocabulary shared by every repository: dialect-aware inserts, row counts, pages.

SQLite and PostgreSQL both have ``INSERT ... ON CONFLICT``, but SQLAlchemy builds it from a
dialect-specific ``insert``; these helpers pick it from the session, so a repository states
what it wants ("insert unless present", "insert or update these columns") once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join

from veza.kit.pagination import MAX_OFFSET


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def dialect_insert(session: AsyncSession, model: Any) -> Any:
    """``INSERT INTO model`` in the session's dialect (with ``on_conflict_*`` available).

    Each dialect's module is imported by its first insert: a process on SQLite never loads
    PostgreSQL's (the engine has loaded the one in use already)."""
    if _is_postgres(session):
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model)


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


class InWrittenOrder(Join):
    """An inner join that SQLite must run left to right (``CROSS JOIN``; a plain ``JOIN``
    elsewhere). SQLite's planner chooses the order of plain joins from its estimates, and a
    virtual table such as FTS5 gives it none for a MATCH: without statistics it may read every
    readable row first and run the MATCH once per row, seconds where driving from the index's
    matches takes milliseconds."""

    inherit_cache = True


@compiles(InWrittenOrder, "sqlite")
def _cross_join(join: InWrittenOrder, compiler: Any, from_linter: Any = None, **kw: Any) -> str:
    if from_linter:
        from_linter.edges.update(
            (left, right) for left in join.left._from_objects for right in join.right._from_objects
        )
    kw["asfrom"] = True
    left = join.left._compiler_dispatch(compiler, from_linter=from_linter, **kw)
    right = join.right._compiler_dispatch(compiler, from_linter=from_linter, **kw)
    kw.pop("asfrom")
    assert join.onclause is not None  # built with one
    onclause = join.onclause._compiler_dispatch(compiler, from_linter=from_linter, **kw)
    return f"{left} CROSS JOIN {right} ON {onclause}"
