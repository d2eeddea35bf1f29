"""aiosqlite in one round trip a statement (kit/sqlite_driver.py): the same answers, errors and
transactions as SQLAlchemy's stock adapter, a statement's cancellation leaving nothing
behind, and the two things of aiosqlite it relies on."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, Table, event, exc, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from tests.auth.conftest import API, register
from tests.kit.sqlite_round_trips import watch
from veza.config import DatabaseSettings, Settings
from veza.kit import handlers
from veza.kit.db import Database, create_null_pool_engine, write_transaction
from veza.kit.sqlite_driver import OneHopConnection
from veza.models import User

pytestmark = pytest.mark.skipif(
    os.environ.get("VEZA_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the driver of SQLite only",
)

PROBE = "CREATE TABLE probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE, label TEXT)"


def _database_file(settings: Settings) -> Path:
    return Path(settings.effective_database_url.split("///", 1)[1])


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    database = Database.from_settings(settings)
    async with write_transaction(database) as session:
        await session.execute(text(PROBE))
    yield database
    await database.dispose()


async def _probe_rows(database: Database) -> list[int]:
    async with database.engine.connect() as connection:
        return list((await connection.scalars(text("SELECT n FROM probe ORDER BY n"))).all())


# -- the same answers as the stock adapter ----------------------------------------------------


async def _outcomes(connection: AsyncConnection) -> list[Any]:
    """What each statement of a script gives: rows, rowcount, lastrowid and column names, or
    the error's class and sqlite3's message."""
    table = Table(
        "probe", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer)
    )
    steps: list[Any] = [
        (text(PROBE), None),
        (text("INSERT INTO probe (n, label) VALUES (1, 'one')"), None),
        (text("INSERT INTO probe (n) VALUES (2), (3) RETURNING id, n"), None),
        (text("INSERT INTO probe (n) VALUES (:n)"), [{"n": 10}, {"n": 11}, {"n": 12}]),
        (insert(table).returning(table.c.id, table.c.n), [{"n": 20}, {"n": 21}]),
        (text("UPDATE probe SET label = 'big' WHERE n >= 10"), None),
        (text("UPDATE probe SET label = 'none' WHERE n > 1000"), None),
        (text("DELETE FROM probe WHERE n = 21 RETURNING n, label"), None),
        (text("SELECT id, n, label FROM probe ORDER BY n"), None),
        (text("SELECT n FROM probe WHERE n < 0"), None),
        (text("PRAGMA foreign_keys"), None),
        (text("INSERT INTO probe (n) VALUES (1)"), None),  # the unique index
        (text("INSERT INTO probe (label) VALUES ('x')"), None),  # NOT NULL
        (text("SELEC 1"), None),
        (text("SELECT * FROM no_such_table"), None),
        (text("SELECT count(*), sum(n) FROM probe"), None),
    ]
    outcomes: list[Any] = []
    for statement, parameters in steps:
        try:
            result = await connection.execute(statement, parameters)
        except exc.DBAPIError as error:
            outcomes.append((type(error).__name__, type(error.orig).__name__, str(error.orig)))
            continue
        rows = [tuple(row) for row in result.all()] if result.returns_rows else None
        keys = list(result.keys()) if result.returns_rows else None
        lastrowid = result.lastrowid if not result.returns_rows else None
        outcomes.append((rows, keys, result.rowcount, lastrowid))
    read = await connection.execute(text("SELECT n FROM probe ORDER BY n"))
    outcomes.append((read.fetchone(), read.fetchmany(2), read.fetchmany(0), read.fetchall()))
    outcomes.append(read.fetchone())
    return outcomes


async def test_statements_answer_as_through_the_stock_adapter(settings: Settings) -> None:
    one_hop_file = _database_file(settings)
    stock_file = one_hop_file.with_name("stock.db")
    shutil.copyfile(one_hop_file, stock_file)
    one_hop = create_null_pool_engine(settings.effective_database_url)
    stock = create_async_engine(f"sqlite+aiosqlite:///{stock_file}", poolclass=NullPool)
    try:
        async with one_hop.connect() as ours, stock.connect() as theirs:
            assert isinstance((await ours.get_raw_connection()).dbapi_connection, OneHopConnection)
            assert not isinstance(
                (await theirs.get_raw_connection()).dbapi_connection, OneHopConnection
            )
            expected = await _outcomes(theirs)
            assert await _outcomes(ours) == expected
    finally:
        await one_hop.dispose()
        await stock.dispose()
    # The script did reach each kind of outcome.
    assert ("IntegrityError", "IntegrityError", "UNIQUE constraint failed: probe.n") in expected
    assert [n for _, n in expected[2][0]] == [2, 3]


async def test_a_stream_is_read_through_the_stock_server_side_cursor(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("INSERT INTO probe (n) VALUES (1), (2), (3), (4), (5)"))
        trips = await watch(connection)
        stream = await connection.stream(
            text("SELECT n FROM probe ORDER BY n"), execution_options={"yield_per": 2}
        )
        batches = [[n for (n,) in batch] async for batch in stream.partitions(2)]
        await connection.rollback()
    assert batches == [[1, 2], [3, 4], [5]]
    assert trips.taken() > 3  # fetched batch by batch, not all at once


# -- one round trip ---------------------------------------------------------------------------


async def test_a_statement_is_one_round_trip(database: Database) -> None:
    async with database.request_reader() as session:  # no BEGIN until the first write
        trips = await watch(await session.connection())
        await session.execute(text("SELECT count(*) FROM probe"))
        assert trips.taken() == 1
        inserted = await session.execute(text("INSERT INTO probe (n) VALUES (7) RETURNING n"))
        assert (inserted.all(), trips.taken()) == ([(7,)], 2)  # BEGIN IMMEDIATE, the insert
        many = await session.execute(
            text("INSERT INTO probe (n) VALUES (:n)"), [{"n": 30}, {"n": 31}]
        )
        assert (many.rowcount, trips.taken()) == (2, 1)
        updated = await session.execute(text("UPDATE probe SET label = 'x' WHERE n > 10"))
        assert (updated.rowcount, trips.taken()) == (2, 1)
        await session.commit()
        assert trips.taken() == 1
    assert trips.taken() == 0  # handed back to the pool: its rollback had nothing to undo
    assert await _probe_rows(database) == [7, 30, 31]


async def test_a_commit_or_rollback_outside_a_transaction_is_no_round_trip(
    database: Database,
) -> None:
    async with database.request_reader() as session:
        trips = await watch(await session.connection())
        await session.execute(text("SELECT count(*) FROM probe"))
        await session.commit()
        await session.execute(text("SELECT count(*) FROM probe"))
        await session.rollback()
    assert trips.taken() == 2
    async with database.writer() as session:
        trips = await watch(await session.connection())  # after its BEGIN IMMEDIATE
        await session.execute(text("INSERT INTO probe (n) VALUES (1)"))
        await session.rollback()
    assert trips.taken() == 2
    assert await _probe_rows(database) == []


async def test_aiosqlite_runs_a_callable_in_the_connections_thread(database: Database) -> None:
    """What the driver takes of aiosqlite beyond its documented API: ``_execute`` runs the
    function in the connection's thread and returns its result, and ``_connection`` is the
    sqlite3 connection until the connection is closed."""
    async with database.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert isinstance(driver._connection, sqlite3.Connection)
        ran_in = await driver._execute(lambda value: (threading.get_ident(), value), 42)
        assert ran_in == (driver._thread.ident, 42)
        assert ran_in[0] != threading.get_ident()
        await driver.close()
        assert driver._connection is None
        # A statement on the closed connection fails as a disconnect, and is replaced.
        with pytest.raises(exc.OperationalError, match="no active connection"):
            await connection.execute(text("SELECT 1"))
        assert connection.invalidated
    async with database.engine.connect() as connection:
        assert (await connection.scalar(text("SELECT 2"))) == 2


# -- errors and a busy database ---------------------------------------------------------------


async def test_a_locked_database_is_the_busy_error_the_handlers_answer(
    tmp_path: Path, settings: Settings
) -> None:
    impatient = settings.model_copy(
        update={"database": DatabaseSettings(sqlite_busy_timeout_ms=50)}
    )
    database = Database.from_settings(impatient)
    holder = sqlite3.connect(_database_file(settings), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(exc.OperationalError) as refused:
            async with write_transaction(database) as session:
                await session.execute(text("CREATE TABLE refused (n INTEGER)"))
        assert handlers._database_busy(refused.value)
        holder.execute("ROLLBACK")
        async with write_transaction(database) as session:  # the same pool, usable again
            await session.execute(text("CREATE TABLE accepted (n INTEGER)"))
    finally:
        holder.close()
        await database.dispose()


async def test_a_write_and_its_read_back_through_the_api(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    created = await register(client, "writer@example.com", username="writer")
    assert created.status_code == 201, created.text
    user_id = created.json()["user"]["id"]
    profile = await client.get(f"{API}/users/{user_id}")
    assert profile.status_code == 200, profile.text
    assert profile.json()["data"]["profile"]["username"] == "writer"


async def test_the_unique_index_refusing_a_registration_is_the_same_409(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registration that passed the checks (a concurrent one took the address meanwhile) is
    refused by the unique index: the IntegrityError is the service's 409."""
    assert (await register(client, "taken@example.com")).status_code == 201

    async def nobody_has_it(*_: Any) -> bool:
        return False

    monkeypatch.setattr("veza.auth.repository.email_exists", nobody_has_it)
    refused = await register(client, "taken@example.com")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["message"] == (
        "An account with this email or username already exists"
    )
    assert (await register(client, "not an address")).status_code == 400


async def test_reads_are_answered_while_another_writer_holds_the_lock(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    created = await register(client, "reader@example.com")
    user_id = created.json()["user"]["id"]
    holder = sqlite3.connect(_database_file(settings), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert (await client.get(f"{API}/users/{user_id}")).status_code == 200
        assert (await client.get(f"{API}/tracks")).status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- cancellation -----------------------------------------------------------------------------

# About a second of SQLite's work, in the thread: the recursion's seed calls started(), so the
# test cancels once the statement runs.
SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT started() IS NULL UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 3000000) SELECT count(*) FROM c"
)


def _mark_starts(engine: AsyncEngine) -> threading.Event:
    started = threading.Event()

    @event.listens_for(engine.sync_engine, "connect")
    def _register(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.create_function("started", 0, started.set)

    return started


async def _cancel_once_running(work: Any, started: threading.Event) -> None:
    task = asyncio.ensure_future(work)
    assert await asyncio.to_thread(started.wait, 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _checkpoint(database: Database) -> tuple[int, ...]:
    """A TRUNCATE checkpoint waits for every reader: (0, 0, 0) says none is left reading."""
    async with database.engine.connect() as connection:
        row = (await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
        return tuple(row)


async def test_a_cancelled_read_leaves_no_statement_and_a_working_pool(
    settings: Settings,
) -> None:
    database = Database.from_settings(settings)
    started = _mark_starts(database.engine)
    try:

        async def read() -> None:
            async with database.request_reader() as session:
                await session.execute(text(SLOW))

        await _cancel_once_running(read(), started)
        assert await _checkpoint(database) == (0, 0, 0)
        async with write_transaction(database) as session:
            await session.execute(text(PROBE))
            await session.execute(text("INSERT INTO probe (n) VALUES (1)"))
        assert await _probe_rows(database) == [1]
        assert database.engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await database.dispose()


async def test_a_cancelled_write_is_rolled_back_and_releases_the_lock(
    database: Database,
) -> None:
    started = _mark_starts(database.engine)
    await database.engine.dispose()  # so the pool's connections register started()

    async def write() -> None:
        async with write_transaction(database) as session:
            await session.execute(text("INSERT INTO probe (n) VALUES (1)"))
            await session.execute(text(SLOW))

    await _cancel_once_running(write(), started)
    async with write_transaction(database) as session:  # the lock is free again
        await session.execute(text("INSERT INTO probe (n) VALUES (2)"))
    assert await _probe_rows(database) == [2]


async def test_the_api_answers_after_a_cancelled_read_of_its_database(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    database: Database = app.state.db
    started = _mark_starts(database.engine)
    await database.engine.dispose()

    async def read() -> None:
        async with database.request_reader() as session:
            await session.execute(text(SLOW))

    await _cancel_once_running(read(), started)
    created = await register(client, "after@example.com")
    assert created.status_code == 201, created.text
    async with database.reader() as session:
        assert await session.get(User, uuid.UUID(created.json()["user"]["id"])) is not None
    assert (await client.get(f"{API}/users/{created.json()['user']['id']}")).status_code == 200
