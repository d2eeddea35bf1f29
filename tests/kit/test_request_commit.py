"""A request's session is committed when it wrote, and not when a SQLite GET only read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, text

from veza.config import Settings
from veza.kit.db import Database, commit_request


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    database = Database.from_settings(settings)
    async with database.writer() as session:
        await session.execute(text("CREATE TABLE probe_rows (n INTEGER)"))
        await session.commit()
    yield database
    async with database.writer() as session:
        await session.execute(text("DROP TABLE probe_rows"))
        await session.commit()
    await database.dispose()


def _count_commits(database: Database) -> list[Any]:
    commits: list[Any] = []
    event.listen(database.engine.sync_engine, "commit", commits.append)
    return commits


async def _rows(database: Database) -> list[int]:
    async with database.reader() as session:
        return list((await session.scalars(text("SELECT n FROM probe_rows ORDER BY n"))).all())


async def test_a_read_that_wrote_is_committed(database: Database) -> None:
    async with database.request_reader() as session:
        await session.execute(text("SELECT count(*) FROM probe_rows"))
        await session.execute(text("INSERT INTO probe_rows (n) VALUES (1)"))
        await commit_request(session)
    assert await _rows(database) == [1]


async def test_a_writer_session_is_committed(database: Database) -> None:
    async with database.writer() as session:
        await session.execute(text("INSERT INTO probe_rows (n) VALUES (2)"))
        await commit_request(session)
    assert await _rows(database) == [2]


async def test_a_sqlite_get_that_only_read_is_closed_without_a_commit(
    database: Database, settings: Settings
) -> None:
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL request sessions are committed as any other")
    commits = _count_commits(database)
    async with database.request_reader() as session:
        assert (await session.execute(text("SELECT count(*) FROM probe_rows"))).scalar() == 0
        await commit_request(session)
    assert commits == []
    async with database.request_reader() as session:
        await session.execute(text("INSERT INTO probe_rows (n) VALUES (3)"))
        await commit_request(session)
    assert len(commits) == 1
    assert await _rows(database) == [3]
