"""SQLAlchemy's aiosqlite adapter with one round trip to aiosqlite's thread per statement.

aiosqlite runs each call on a sqlite3 connection in that connection's own thread, and the
stock adapter makes four such calls a statement (the cursor, execute, fetchall, the cursor's
close), each a future the loop waits for and the thread completes: on a one-row read the
hand-offs cost more than SQLite does. Here the cursor, the statement, its rows (when it
returns any), its description, rowcount and lastrowid and the cursor's close are one function
run in the thread, and the statement's result is read from what it returned. A commit or a
rollback outside a transaction, a no-op in sqlite3, is not sent at all (the pool's rollback
of a connection handed back after a commit, or after a GET that only read).

What stays as it was: server-side cursors (``stream``, ``yield_per``) are the stock ones,
fetching through the thread as asked; errors are sqlite3's own, mapped by the stock adapter
(``_handle_exception``) and SQLAlchemy as before; a statement whose awaiting task is
cancelled still runs whole in the thread (its cursor closed there), while SQLAlchemy
invalidates the connection as it does for any cancelled call, so the connection's close,
queued behind the statement, rolls back whatever it had begun.

It relies on two things of aiosqlite beyond its documented API, both checked by
``tests/kit/test_sqlite_driver.py``: ``Connection._execute(function, *args)`` runs the
function in the connection's thread and returns its result, and ``Connection._connection``
is the sqlite3 connection (``None`` once closed).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)

try:
    from sqlalchemy.util.concurrency import await_
except ImportError:  # SQLAlchemy 2.0 names it await_only
    from sqlalchemy.util.concurrency import await_only as await_

# What one statement's run in the thread hands back: description, rows, rowcount, lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]


def _run_statement(sqlite: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    cursor = sqlite.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        # Read after the rows: a DML statement's RETURNING counts its rows as they are stepped.
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(sqlite: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    cursor = sqlite.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor:
    """A DBAPI cursor over one round trip a statement; its rows are kept in memory, as the
    stock adapter's are once it has fetched them all."""

    server_side = False
    __slots__ = ("_adapt_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapt_connection: OneHopConnection) -> None:
        self._adapt_connection = adapt_connection
        self._rows: collections.deque[Any] = collections.deque()
        self.arraysize = 1  # sqlite3's default, what fetchmany() takes without a size
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    def execute(self, operation: str, parameters: Any = None) -> OneHopCursor:
        self._run(_run_statement, operation, parameters)
        return self

    def executemany(self, operation: str, seq_of_parameters: Any) -> OneHopCursor:
        self._run(_run_many, operation, seq_of_parameters)
        return self

    def _run(self, statement: Any, operation: str, parameters: Any) -> None:
        driver = self._adapt_connection._connection
        try:
            # Connection._conn raises aiosqlite's "no active connection" once it is closed,
            # which the stock adapter maps to OperationalError, as for its own cursors.
            outcome: _Outcome = await_(
                driver._execute(statement, driver._conn, operation, parameters)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        """Nothing to close in the thread: the statement's cursor closed there already."""

    def close(self) -> None:
        self._rows.clear()

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = self._rows
        wanted = self.arraysize if size is None else size
        return [rows.popleft() for _ in range(min(wanted, len(rows)))]

    def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:
            return super().cursor(server_side=True)
        return OneHopCursor(self)

    def _in_transaction(self) -> bool:
        sqlite = self._connection._connection
        return sqlite is not None and sqlite.in_transaction

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The stock adapter's DBAPI module, its connections adapted by ``OneHopConnection``."""

    def connect(self, *args: Any, **kwargs: Any) -> OneHopConnection:
        stock = super().connect(*args, **kwargs)
        return OneHopConnection(self, stock._connection)


def one_hop_dbapi() -> OneHopDBAPI:
    """The ``module`` to give ``create_async_engine`` for a ``sqlite+aiosqlite`` URL."""
    return OneHopDBAPI(aiosqlite, sqlite3)
