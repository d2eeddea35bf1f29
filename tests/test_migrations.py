"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from veza.config import Settings
from veza.kit.db import create_null_pool_engine
from veza.models import Base


def _not_search_index(name: str | None, type_: str, _: Any) -> bool:
    """The search indexes (migration 0012: side tables, FTS5 tables and their shadow tables,
    views, triggers) are derived data kept by the database itself; no model declares them."""
    return not (type_ == "table" and (name or "").startswith("search_"))


def _differences(connection: Connection) -> list[Any]:
    with warnings.catch_warnings():
        # SQLite cannot reflect the lower(email)/lower(username) expression indexes.
        warnings.simplefilter("ignore")
        context = MigrationContext.configure(connection, opts={"include_name": _not_search_index})
        return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    engine = create_null_pool_engine(settings.effective_database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    await engine.dispose()
    assert differences == []


def _conditions(connection: Connection) -> tuple[dict[str, str], dict[str, str]]:
    """The WHERE of each partial index: as the models declare it (``PartialIndex``), and as the
    migrated database has it (Alembic's comparison leaves conditions out)."""
    dialect = connection.dialect.name
    inspector = inspect(connection)
    declared, migrated = {}, {}
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            where = index.dialect_options[dialect].get("where")
            if where is not None:
                declared[str(index.name)] = str(where)
        for reflected in inspector.get_indexes(table.name):
            where = reflected.get("dialect_options", {}).get(f"{dialect}_where")
            if where is not None:
                migrated[str(reflected["name"])] = str(where)
    return declared, migrated


async def test_partial_indexes_have_the_migrated_condition(settings: Settings) -> None:
    engine = create_null_pool_engine(settings.effective_database_url)
    async with engine.connect() as connection:
        declared, migrated = await connection.run_sync(_conditions)
    await engine.dispose()
    assert declared == migrated
    assert declared == {
        "uq_playlists_one_favorites_per_user": "is_default_favorites",
        "uq_marketplace_order_items_one_license_per_buyer": "holds_rights",
    }
