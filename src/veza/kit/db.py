"""Database engine, sessions and the per-request transaction.

One transaction per request: the session dependency (``kit/dependencies.py``, the FastAPI side)
opens it, the handler's services only flush, and the dependency commits when the handler
succeeded or rolls back when it raised.
On SQLite the session of a GET, HEAD or OPTIONS begins only before its first write
(``_LAZY_BEGIN``): until then its reads run in autocommit.
Work that must happen only once the data is durable (jobs, mails, webhooks) is registered
with ``after_commit`` and runs after the commit.

A ``Database`` also carries the process's shared services (the job queue, caches), each under
its type (``provide``); every session it opens can reach them (``provided``). That is how code
holding only a session enqueues a job after the commit or forgets a cache entry.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import orjson
import structlog
from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from veza.config import Settings
from veza.kit import private_files, sqlite_driver

log = structlog.get_logger("veza.db")

AfterCommit = Callable[[], Awaitable[Any]]
ServiceT = TypeVar("ServiceT")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # their request sessions read first
# What a read runs its statements on: a request's session, or a bare connection for a read of
# Core statements only (``Database.read_connection``: the read lane's).
Reads = AsyncSession | AsyncConnection


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys and a busy timeout on every connection; explicit BEGIN statements.

    pysqlite's implicit transaction handling is turned off so SQLAlchemy's transactions are
    real SQLite transactions. Writing sessions begin IMMEDIATE: SQLite has one writer at a
    time, and taking the write lock up front makes a second writer wait (busy timeout) instead
    of failing on a lock upgrade.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(_LAZY_BEGIN, False):
            return  # _begin_before_first_write opens the transaction, if a write comes
        immediate = options.get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _begin_before_first_write(
        connection: Any, cursor: Any, statement: str, _p: Any, context: Any, _m: bool
    ) -> None:
        if not connection.get_execution_options().get(_LAZY_BEGIN, False):
            return
        if _reads_only(statement, context) or _in_transaction(connection):
            return
        cursor.execute("BEGIN IMMEDIATE")


# Request sessions of GET, HEAD and OPTIONS on SQLite: no BEGIN until their first write. A read
# then runs in autocommit (each statement its own snapshot, as PostgreSQL's READ COMMITTED
# gives every statement), and a request that only reads costs no BEGIN round trip through
# aiosqlite's thread; the few GETs that write (counters, first-time rows) write in one IMMEDIATE
# transaction, committed or rolled back with the request as before.
_LAZY_BEGIN = "veza_lazy_begin"


def _reads_only(statement: str, context: Any) -> bool:
    head = statement.lstrip()[:6].upper()
    if head == "SELECT":
        return True
    if head.startswith("WITH"):  # a CTE: a read unless it is a compiled INSERT/UPDATE/DELETE
        return context is not None and context.compiled is not None and not context.is_crud
    return False


def _in_transaction(connection: Any) -> bool:
    # The adapted aiosqlite connection's sqlite3 connection knows (no round trip to its thread).
    dbapi = connection.connection.dbapi_connection
    return bool(getattr(getattr(dbapi, "_connection", dbapi), "in_transaction", False))


async def commit_request(session: AsyncSession) -> None:
    """Commit a request's session, unless it is a SQLite GET's that never began (it only read).

    Closing such a session rolls back nothing in one round trip to aiosqlite's thread, where a
    commit is one and the pool's reset on return another.
    """
    if not (session.new or session.dirty or session.deleted) and session.in_transaction():
        connection = (await session.connection()).sync_connection
        lazy = connection is not None and connection.get_execution_options().get(_LAZY_BEGIN)
        if lazy and not _in_transaction(connection):
            return
    await session.commit()


def _is_memory_sqlite(url: str) -> bool:
    parsed = make_url(url)
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def _create_private_sqlite_file(url: str) -> None:
    """Create a missing SQLite database file 0600 (an empty file is an empty database), so
    SQLite does not create it world-readable; its -wal and -shm files take the same mode."""
    if _is_memory_sqlite(url):
        return
    database = make_url(url).database or ""
    if database.startswith("file:"):
        return  # a URI filename: whoever wrote it decides
    path = Path(database)
    if path.parent.is_dir():
        private_files.create_file(path)


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.ensure_dirs()
        _create_private_sqlite_file(url)
        # A file's connections are all kept (no overflow): SQLAlchemy's default (5, overflow
        # 10) closed and reopened them under load, each a thread start and the pragmas again.
        # Not more of them than that: writers beyond one wait in SQLite's busy loop, and a
        # request waiting for a pooled connection queues fairly instead. The last connection
        # handed back is the next one out (LIFO): with fewer requests in flight than
        # connections, the same few serve them with their page and statement caches warm,
        # where FIFO took every connection in turn (suggestions at 100k: -33% in all).
        pool: dict[str, Any] = (
            {}
            if _is_memory_sqlite(url)
            else {
                "pool_size": settings.database.pool_size,
                "max_overflow": 0,
                "pool_use_lifo": True,
            }
        )
        engine = create_async_engine(
            url,
            echo=settings.database.echo,
            json_deserializer=read_json,
            connect_args={"timeout": settings.database.sqlite_busy_timeout_ms / 1000},
            **pool,
            **_driver(url),
        )
        _configure_sqlite(engine, settings.database.sqlite_busy_timeout_ms)
        return engine
    engine = create_async_engine(
        url,
        echo=settings.database.echo,
        json_deserializer=read_json,
        pool_size=settings.database.pool_size,
        max_overflow=settings.database.max_overflow,
        pool_use_lifo=True,
    )
    _ping_when_idle(engine, settings.database.ping_after_idle_seconds)
    return engine


def read_json(text: str | bytes) -> Any:
    """A JSON column's value: orjson's parser (a track's tags and genres are read with every
    track), the standard library's for what orjson refuses and ``json.dumps`` may have
    written (NaN, integers beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


_IDLE_SINCE = "veza_idle_since"


def _ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Test a pooled connection before use only when it sat idle for ``idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` tests every checkout, and asyncpg's ping is three round
    trips (BEGIN, an empty query, ROLLBACK): a request that commits its reads and then writes
    checks out twice, so a login paid six round trips for pings against ten for its work. A
    connection handed back a moment ago is as alive as the server; one that sat idle may have
    been dropped by a restart or a proxy's timeout, and that one is tested and replaced. A
    server lost while connections are busy fails the statement in flight, which invalidates
    the whole pool, so the next checkout connects afresh.
    """
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _note_idle(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new, or back from a request a moment ago
        try:
            dbapi_connection.ping()
        except Exception as error:  # any failure means: use another connection
            raise exc.DisconnectionError("idle connection lost") from error


def create_null_pool_engine(url: str) -> AsyncEngine:
    """An engine without pooling, for one-off tasks such as migrations and readiness probes."""
    if url.startswith("sqlite"):
        _create_private_sqlite_file(url)
    return create_async_engine(url, poolclass=NullPool, **_driver(url))


def _driver(url: str) -> dict[str, Any]:
    """aiosqlite's adapter with one round trip to its thread a statement (``sqlite_driver``)
    for a ``sqlite+aiosqlite`` URL; the dialect's own driver for any other."""
    if make_url(url).drivername == "sqlite+aiosqlite":
        return {"module": sqlite_driver.one_hop_dbapi()}
    return {}


@dataclass
class Database:
    engine: AsyncEngine
    reader: async_sessionmaker[AsyncSession]
    writer: async_sessionmaker[AsyncSession]
    services: dict[object, object]
    # The session of a GET, HEAD or OPTIONS request (get_db_session): the reader, beginning its
    # transaction only before a write on SQLite (_LAZY_BEGIN).
    request_reader: async_sessionmaker[AsyncSession]
    # The request reader's engine, the services in its execution options (``provided``).
    read_bind: AsyncEngine

    def read_connection(self) -> AsyncConnection:
        """A bare connection of the request reader's kind, for a read that runs Core statements
        only and never writes: the read lane's reads of that kind, anonymous or signed in (the
        token's check included). An ``AsyncSession`` made and closed around one statement cost
        a third of such a read's CPU (docs/PERFORMANCE.md, "Hot reads"). Closing it rolls
        back, so it must not be used to write: what it wrote would be lost (none of the
        lane's routes writes)."""
        return self.read_bind.connect()

    @classmethod
    def from_settings(cls, settings: Settings, *, engine: AsyncEngine | None = None) -> Database:
        engine = engine or create_engine(settings)
        write_bind = (
            engine.execution_options(sqlite_immediate=True) if settings.is_sqlite else engine
        )
        request_bind = (
            engine.execution_options(**{_LAZY_BEGIN: True}) if settings.is_sqlite else engine
        )
        services: dict[object, object] = {}
        # Every session's info holds this very dict, so a service provided later is seen too.
        info = {_SERVICES: services}

        def sessions(bind: AsyncEngine) -> async_sessionmaker[AsyncSession]:
            return async_sessionmaker(bind, expire_on_commit=False, autoflush=False, info=info)

        return cls(
            engine=engine,
            reader=sessions(engine),
            writer=sessions(write_bind),
            services=services,
            request_reader=sessions(request_bind),
            read_bind=request_bind.execution_options(**{_SERVICES: services}),
        )

    def provide(self, kind: type[Any], service: object) -> None:
        """Make ``service`` reachable from every session of this database as ``kind``."""
        self.services[kind] = service

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


_SERVICES = "veza.services"


def provided(reads: Reads, kind: Callable[..., ServiceT]) -> ServiceT | None:
    """The service of type ``kind`` the database of the session (or of the connection from
    ``Database.read_connection``) provides, if any."""
    if isinstance(reads, AsyncConnection):
        services: dict[object, object] = reads.engine.get_execution_options().get(_SERVICES, {})
    else:
        services = reads.info.get(_SERVICES, {})
    return cast("ServiceT | None", services.get(kind))


async def connection_of(reads: Reads) -> AsyncConnection:
    """The connection a read's Core statements run on: the session's, or the bare one."""
    if isinstance(reads, AsyncConnection):
        return reads
    return await reads.connection()


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` once the request's transaction has committed (never if it rolls back)."""
    session.info.setdefault("after_commit", []).append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    callbacks: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            # The request already succeeded; a failed side effect is logged, not reported.
            log.exception(
                "after_commit_failed", callback=getattr(callback, "__name__", repr(callback))
            )


@asynccontextmanager
async def write_transaction(database: Database) -> AsyncIterator[AsyncSession]:
    """A write transaction of its own, outside any request's (jobs, and the few writes a
    request makes after its read-only transaction), with ``after_commit`` callbacks run once it
    has committed."""
    async with database.writer() as session:
        async with session.begin():
            yield session
        await run_after_commit(session)
