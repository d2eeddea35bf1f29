"""`veza copy-db`: every table copied into another database (SQLite to PostgreSQL, or to
another SQLite file), in dependency order and batches, in one transaction, refusing a target
that holds rows unless told to empty it."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Uuid, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner, Result

from tests.conftest import make_settings
from tests.factories import fill_every_table
from veza import copydb
from veza.app import create_app
from veza.cli import app as cli
from veza.config import LogSettings, Settings, get_settings
from veza.kit.db import create_null_pool_engine
from veza.kit.logging import configure_logging
from veza.kit.migrations import upgrade_to_head
from veza.models import Base

POSTGRES_SERVER = os.environ.get("VEZA_TEST_DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(
    not POSTGRES_SERVER.startswith("postgresql"), reason="VEZA_TEST_DATABASE_URL is not set"
)
runner = CliRunner()
Dump = dict[str, list[tuple[Any, ...]]]


async def _fill(settings: Settings) -> dict[str, int]:
    app = create_app(settings)
    try:
        return await fill_every_table(app)
    finally:
        await app.state.db.dispose()


async def _dump(url: str) -> Dump:
    engine = create_null_pool_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in await connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()


def dump(url: str) -> Dump:
    return asyncio.run(_dump(url))


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The configured database: SQLite, two rows in every table."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'source.db'}"
    settings = make_settings(tmp_path, url)
    upgrade_to_head(settings)
    counts = asyncio.run(_fill(settings))
    assert set(counts) == {table.name for table in Base.metadata.sorted_tables}
    monkeypatch.setenv("VEZA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VEZA_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    configure_logging(LogSettings(level="WARNING"))  # off the runner's closed stderr


@pytest.fixture
def sqlite_target(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"


async def _postgres(statement: str) -> None:
    admin = make_url(POSTGRES_SERVER).set(database="postgres")
    engine = create_null_pool_engine(admin.render_as_string(hide_password=False))
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def postgres_target() -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards."""
    name = f"veza_copy_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def copy(*args: str) -> Result:
    return runner.invoke(cli, ["copy-db", *args])


def refusal(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    return result.stderr


def _copies_every_row_then_refuses_then_replaces(source: str, target: str) -> None:
    before = dump(source)
    # Batches of one: every row is its own statement, so a reply sent before its parent fails.
    first = copy("--to", target, "--batch-size", "1")
    assert first.exit_code == 0, first.output
    assert dump(target) == before
    for table in Base.metadata.sorted_tables:
        assert f"  {table.name}: 2 rows" in first.stdout
    assert f"copied {2 * len(before)} rows in {len(before)} tables" in first.stdout

    said = refusal(copy("--to", target))
    assert "already holds rows" in said and "--replace" in said
    assert dump(target) == before

    replaced = copy("--to", target, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert dump(target) == before


def test_sqlite_into_another_sqlite_database(source: str, sqlite_target: str) -> None:
    _copies_every_row_then_refuses_then_replaces(source, sqlite_target)


@needs_postgres
def test_sqlite_into_postgresql(source: str, postgres_target: str) -> None:
    _copies_every_row_then_refuses_then_replaces(source, postgres_target)


def test_a_failed_copy_leaves_the_target_as_it_was(
    source: str, sqlite_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_table = copydb._copy_table
    copied: list[str] = []

    async def failing(reading: Any, writing: Any, table: Any, batch_size: int) -> int:
        if len(copied) == 3:
            raise OperationalError("INSERT", {}, Exception("disk full"))
        copied.append(table.name)
        return await copy_table(reading, writing, table, batch_size)

    monkeypatch.setattr(copydb, "_copy_table", failing)
    said = refusal(copy("--to", sqlite_target))
    assert "the copy failed, the target is unchanged" in said and "disk full" in said
    assert all(rows == [] for rows in dump(sqlite_target).values())


def test_tables_the_models_do_not_describe_are_named_not_copied(
    source: str, sqlite_target: str
) -> None:
    path = make_url(source).database
    assert path is not None
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE scratch (x INTEGER)")
    result = copy("--to", sqlite_target)
    assert result.exit_code == 0, result.output
    assert "scratch is not a Veza table, not copied" in result.stderr


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("nonsense", "--to: not a database URL"),
        ("postgresql://veza@127.0.0.1/veza", "write postgresql+asyncpg://"),
        ("sqlite:///elsewhere.db", "write sqlite+aiosqlite://"),
        ("mysql+aiomysql://veza@127.0.0.1/veza", "PostgreSQL or SQLite only"),
    ],
)
def test_a_target_that_is_not_a_usable_url_is_refused(source: str, target: str, says: str) -> None:
    assert says in refusal(copy("--to", target))


def test_the_database_being_copied_is_refused_as_target(source: str) -> None:
    path = Path(str(make_url(source).database))
    same = f"sqlite+aiosqlite:///{path.parent}/./{path.name}"  # another spelling of it
    assert "names the database being copied" in refusal(copy("--to", same))


def test_an_unreachable_target_is_a_one_line_error(source: str) -> None:
    said = refusal(copy("--to", "postgresql+asyncpg://veza:hunter22@127.0.0.1:1/veza"))
    assert "cannot migrate postgresql+asyncpg://veza@127.0.0.1:1/veza" in said
    assert "hunter22" not in said


def test_no_table_has_a_sequence_to_move() -> None:
    """copy-db writes primary keys as they are and moves no sequence: that holds while no
    table has an autoincrementing integer key."""
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        assert not (
            len(keys) == 1
            and isinstance(keys[0].type, Integer)
            and keys[0].autoincrement in (True, "auto")
            and not keys[0].foreign_keys
        ), table.name


def test_rows_in_a_reference_cycle_are_refused_not_left_out(
    source: str, sqlite_target: str
) -> None:
    path = make_url(source).database
    assert path is not None
    with sqlite3.connect(path) as connection:  # no foreign key checks on this connection
        connection.execute(
            "UPDATE comments SET parent_id = (SELECT id FROM comments WHERE parent_id IS NOT NULL)"
            " WHERE parent_id IS NULL"
        )
    assert "comments: copied 0 of 2 rows" in refusal(copy("--to", sqlite_target))
    assert all(rows == [] for rows in dump(sqlite_target).values())


def test_a_table_referring_to_itself_twice_is_refused() -> None:
    metadata = MetaData()
    table = Table(
        "nodes",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("parent_id", Uuid, ForeignKey("nodes.id")),
        Column("origin_id", Uuid, ForeignKey("nodes.id")),
    )
    with pytest.raises(copydb.CopyRefused, match="nodes: cannot order rows"):
        copydb._rows_in_order(table)
