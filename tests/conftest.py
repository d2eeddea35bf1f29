"""Test harness: the schema built by the migrations, one isolated database per test.

SQLite (always): the migrations run once into a template file; each test gets a copy.
PostgreSQL (when VEZA_TEST_DATABASE_URL points at a server): the suite creates its own
database, migrates it once, empties every table after each test and drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from veza.app import create_app
from veza.config import AuthSettings, LogSettings, RateLimitSettings, Settings
from veza.kit import passwords
from veza.kit.db import create_null_pool_engine
from veza.kit.migrations import upgrade_to_head
from veza.models import Base

TEST_JWT_SECRET = "test-secret-" + "x" * 64

# argon2id at 1 MiB and one pass: the suite hashes thousands of passwords, each 20-30 ms at the
# production cost, and nothing it checks depends on the cost (tests of rehashing make hashes
# of other parameters themselves). Servers the tests start as processes keep the real cost.
passwords.HASHER = PasswordHasher(
    time_cost=1, memory_cost=1024, parallelism=1, hash_len=32, salt_len=16
)

# The audio samples and the uploaders of the test folders that upload real files; the read
# lane tests' spy.
pytest_plugins = ["tests.fixtures", "tests.lane"]


def _postgres_server_url() -> str | None:
    url = os.environ.get("VEZA_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def pytest_report_header() -> str:
    return f"veza database backend: {'postgresql' if _postgres_server_url() else 'sqlite'}"


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    # Generous login and registration limits: schemathesis sends many failed logins and
    # registrations from one address.
    overrides.setdefault(
        "rate_limit",
        RateLimitSettings(
            login_failures_per_account="10000 per minute",
            login_failures_per_ip="10000 per minute",
            registrations_per_ip="10000 per minute",
        ),
    )
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        auth=AuthSettings(jwt_secret=TEST_JWT_SECRET, cookie_secure=False),
        log=LogSettings(level="WARNING"),
        **overrides,
    )


class _SqliteBackend:
    def __init__(self, root: Path) -> None:
        self.template = root / "template.db"
        upgrade_to_head(make_settings(root, f"sqlite+aiosqlite:///{self.template}"))

    def url_for_test(self, data_dir: Path) -> str:
        target = data_dir / "veza.db"
        shutil.copyfile(self.template, target)
        return f"sqlite+aiosqlite:///{target}"

    async def reset(self) -> None:
        return None

    def close(self) -> None:
        return None


class _PostgresBackend:
    def __init__(self, server_url: str, root: Path) -> None:
        self.server_url = make_url(server_url)
        self.name = f"veza_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(self._admin(f'CREATE DATABASE "{self.name}"'))
        self.url = self.server_url.set(database=self.name).render_as_string(hide_password=False)
        upgrade_to_head(make_settings(root, self.url))
        # One server-side block of DELETEs, children first: TRUNCATE gives every table and
        # index a new file, which cost 0.1-1.6 s a test against 20 ms for this on small tables.
        deletes = " ".join(
            f'DELETE FROM "{t.name}";'  # noqa: S608 (our own table names)
            for t in reversed(Base.metadata.sorted_tables)
        )
        self.empty_tables = f"DO $$ BEGIN {deletes} END $$" if deletes else ""

    async def _admin(self, statement: str) -> None:
        admin_url = self.server_url.set(database="postgres").render_as_string(hide_password=False)
        engine = create_null_pool_engine(admin_url)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
        await engine.dispose()

    def url_for_test(self, _: Path) -> str:
        return self.url

    async def reset(self) -> None:
        if not self.empty_tables:
            return
        engine = create_null_pool_engine(self.url)
        async with engine.begin() as connection:
            await connection.execute(text(self.empty_tables))
        await engine.dispose()

    def close(self) -> None:
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def db_backend(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[_SqliteBackend | _PostgresBackend]:
    root = tmp_path_factory.mktemp("db")
    server = _postgres_server_url()
    backend: _SqliteBackend | _PostgresBackend = (
        _PostgresBackend(server, root) if server else _SqliteBackend(root)
    )
    yield backend
    backend.close()


@pytest.fixture
def settings(tmp_path: Path, db_backend: _SqliteBackend | _PostgresBackend) -> Settings:
    return make_settings(tmp_path, db_backend.url_for_test(tmp_path))


@pytest.fixture
async def app(
    settings: Settings, db_backend: _SqliteBackend | _PostgresBackend
) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    await application.state.db.dispose()
    await db_backend.reset()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how much of the contract is implemented (operations no longer answering 501)."""
    from tests.contract import implemented

    probe = create_app(make_settings(Path("/nonexistent"), "sqlite+aiosqlite:///:memory:"))
    terminalreporter.write_line(f"contract coverage: {len(implemented(probe))}/125 implemented")
