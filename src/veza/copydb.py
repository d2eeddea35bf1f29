"""Copy every table of one Veza database into another (``veza copy-db``), e.g. the embedded
SQLite database into PostgreSQL.

Both databases are migrated to the same revision first (by the caller), so the tables the
models describe exist on both sides with the same columns. Rows are read through those
tables, so each value crosses as its Python type (UUIDs, UTC datetimes, JSON, booleans) and
the target's driver writes it in its own form.

- Tables go in dependency order (a referenced table before the tables that refer to it); rows
  of a table that refers to itself (a reply to a comment) go parents first.
- Rows are read and written in batches; the source is read in one transaction (a consistent
  snapshot) and the target written in one transaction: a failure leaves it as it was.
- A target that already holds rows is refused unless ``replace`` is set, which empties it
  first (in the same transaction).
- Every primary key is a UUID or a natural key, so there are no sequences to move;
  tests/test_copy_db.py fails when a table gets an autoincrementing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Select,
    Table,
    delete,
    func,
    insert,
    inspect,
    literal,
    null,
    select,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import Null

from veza.config import Settings
from veza.kit.db import create_engine
from veza.models import Base

# Alembic's own bookkeeping: each side has it from its migration.
_NOT_DATA = frozenset({"alembic_version"})
# The search indexes (migration 0012): derived data the target's own triggers rebuild as the
# rows arrive.
_DERIVED_PREFIX = "search_"
_ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}

Report = Callable[[str, int], None]
# Written for a missing JSON value: SQL NULL, where None alone would be the JSON text "null".
_SQL_NULL: Null = null()


class CopyRefused(Exception):
    """Why the copy was not made, worded for the person at the command line."""


@dataclass
class CopyResult:
    rows: dict[str, int] = field(default_factory=dict)
    # Tables of the source that the models do not describe (left where they are).
    not_copied: list[str] = field(default_factory=list)


def checked_url(url: str, *, option: str) -> str:
    """``url`` if SQLAlchemy can open it with an async driver, else a CopyRefused that says
    what to write instead."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise CopyRefused(
            f"{option}: not a database URL (e.g. postgresql+asyncpg://user:pass@host/db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise CopyRefused(f"{option}: PostgreSQL or SQLite only, not {backend!r}")
    if parsed.drivername != _ASYNC_DRIVERS[backend]:
        raise CopyRefused(f"{option}: write {_ASYNC_DRIVERS[backend]}://... (an async driver)")
    return parsed.render_as_string(hide_password=False)


def same_database(first: str, second: str) -> bool:
    a, b = make_url(first), make_url(second)
    if a.get_backend_name() == b.get_backend_name() == "sqlite":
        return Path(a.database or "").resolve() == Path(b.database or "").resolve()
    return a.set(password=None) == b.set(password=None)


async def copy_database(
    settings: Settings,
    source_url: str,
    target_url: str,
    *,
    replace: bool = False,
    batch_size: int = 1000,
    report: Report | None = None,
) -> CopyResult:
    """Copy every row of the source's tables into the target (both already migrated)."""
    source = create_engine(settings.model_copy(update={"database_url": source_url}))
    target = create_engine(settings.model_copy(update={"database_url": target_url}))
    result = CopyResult()
    try:
        async with source.connect() as reading, target.connect() as writing:
            await _snapshot(reading, source)
            async with writing.begin():
                known = {table.name for table in Base.metadata.sorted_tables}
                present = set(await reading.run_sync(_table_names))
                result.not_copied = sorted(
                    name
                    for name in present - known - _NOT_DATA
                    if not name.startswith(_DERIVED_PREFIX)
                )
                await _make_room(writing, replace=replace)
                for table in Base.metadata.sorted_tables:
                    copied = await _copy_table(reading, writing, table, batch_size)
                    result.rows[table.name] = copied
                    if report is not None:
                        report(table.name, copied)
    finally:
        await source.dispose()
        await target.dispose()
    return result


async def _snapshot(reading: AsyncConnection, engine: AsyncEngine) -> None:
    """One read transaction for the whole copy, so rows written meanwhile cannot half appear."""
    if engine.dialect.name == "postgresql":
        await reading.execution_options(isolation_level="REPEATABLE READ")
    await reading.begin()


def _table_names(connection: Connection) -> list[str]:
    return list(inspect(connection).get_table_names())


async def _make_room(writing: AsyncConnection, *, replace: bool) -> None:
    tables = Base.metadata.sorted_tables
    holding = [
        table.name
        for table in tables
        if await writing.scalar(select(literal(1)).select_from(table).limit(1)) is not None
    ]
    if not holding:
        return
    if not replace:
        raise CopyRefused(
            f"the target already holds rows (in {', '.join(holding)}): "
            "pass --replace to empty it first"
        )
    for table in reversed(tables):
        await writing.execute(delete(table))


async def _copy_table(
    reading: AsyncConnection, writing: AsyncConnection, table: Table, batch_size: int
) -> int:
    columns = list(table.columns)
    keys = [column.key for column in columns]
    json_columns = {column.key for column in columns if isinstance(column.type, JSON)}
    expected = await reading.scalar(select(func.count()).select_from(table)) or 0
    copied = 0
    stream = await reading.stream(
        _rows_in_order(table), execution_options={"yield_per": batch_size}
    )
    async for batch in stream.partitions(batch_size):
        rows: list[dict[str, Any]] = [dict(zip(keys, row, strict=True)) for row in batch]
        for row in rows:
            for key in json_columns:
                if row[key] is None:
                    row[key] = _SQL_NULL
        await writing.execute(insert(table), rows)
        copied += len(rows)
    if copied != expected:
        # Only rows in a reference cycle inside the table can be left out by the ordering.
        raise CopyRefused(f"{table.name}: copied {copied} of {expected} rows (a reference cycle?)")
    return copied


def _rows_in_order(table: Table) -> Select[tuple[object, ...]]:
    """Every row of ``table``; when it refers to itself, parents before their children."""
    order = list(table.primary_key.columns)
    parent = _self_reference(table)
    if parent is None:
        return select(*table.columns).order_by(*order)
    (key,) = table.primary_key.columns
    tree = (
        select(key.label("id"), literal(0).label("depth"))
        .where(parent.is_(None))
        .cte("tree", recursive=True)
    )
    tree = tree.union_all(select(key, tree.c.depth + 1).join(tree, parent == tree.c.id))
    return select(*table.columns).join(tree, key == tree.c.id).order_by(tree.c.depth, *order)


def _self_reference(table: Table) -> Column[object] | None:
    references = [foreign.parent for foreign in table.foreign_keys if foreign.column.table is table]
    if not references:
        return None
    if len(references) > 1 or len(table.primary_key.columns) != 1:
        raise CopyRefused(f"{table.name}: cannot order rows that refer to their table twice")
    return references[0]
