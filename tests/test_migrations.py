"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
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
