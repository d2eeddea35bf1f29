"""The hash chain: sealed rows verify, concurrent writers and sealers never fork it, an altered
or removed row is the first broken link `veza audit verify` reports, the retention sweep keeps
what remains verifiable."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from tests.audit.support import audit_row
from tests.factories import member
from tests.helpers import API
from veza import cli as cli_module
from veza.audit import chain
from veza.audit import tasks as audit_tasks
from veza.models import AuditLog, utcnow


async def _verify(app: FastAPI) -> chain.Verification:
    async with app.state.db.reader() as session:
        return await chain.verify(session)


async def _seqs(app: FastAPI) -> list[int | None]:
    async with app.state.db.reader() as session:
        return list(await session.scalars(select(AuditLog.seq).order_by(AuditLog.seq)))


async def test_concurrent_writers_and_sealers_make_one_unbroken_chain(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)

    async def create(n: int) -> int:
        response = await client.post(
            f"{API}/webhooks",
            headers=alice.headers,
            json={"url": f"http://127.0.0.1:9/{n}", "events": ["webhook.test"]},
        )
        return response.status_code

    app.state.settings.webhooks.allow_loopback = True
    statuses = await asyncio.gather(*(create(n) for n in range(8)))
    assert statuses == [201] * 8
    sealed = await asyncio.gather(*(chain.seal_pending(app.state.db) for _ in range(3)))
    more = [await audit_row(app, f"extra.{n}", alice.id) for n in range(3)]
    sealed += await asyncio.gather(*(chain.seal_pending(app.state.db) for _ in range(2)))
    seqs = await _seqs(app)
    assert sum(sealed) == len(seqs) >= 11 and more
    assert seqs == list(range(1, len(seqs) + 1))
    report = await _verify(app)
    assert report.intact and report.checked == len(seqs) and report.unsealed == 0


async def test_an_altered_row_is_the_first_broken_link(app: FastAPI) -> None:
    rows = [await audit_row(app, f"a.{n}", None, details={"n": n}) for n in range(5)]
    await chain.seal_pending(app.state.db)
    assert (await _verify(app)).intact
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(AuditLog).where(AuditLog.id == rows[2].id).values(details={"n": 99})
        )
    report = await _verify(app)
    assert not report.intact and report.broken_seq == 3 and report.broken_id == str(rows[2].id)
    assert "altered" in (report.reason or "")


async def test_a_removed_row_is_reported(app: FastAPI) -> None:
    rows = [await audit_row(app, f"b.{n}", None) for n in range(4)]
    await chain.seal_pending(app.state.db)
    async with app.state.db.writer() as session, session.begin():
        await session.execute(delete(AuditLog).where(AuditLog.id == rows[1].id))
    report = await _verify(app)
    assert report.broken_seq == 3 and "missing" in (report.reason or "")
    async with app.state.db.writer() as session, session.begin():
        await session.execute(delete(AuditLog).where(AuditLog.id == rows[3].id))
        await session.execute(delete(AuditLog).where(AuditLog.id == rows[0].id))
    report = await _verify(app)
    assert not report.intact  # the first and the newest rows cannot vanish unnoticed either


async def test_the_retention_sweep_keeps_the_rest_verifiable(app: FastAPI) -> None:
    old = utcnow() - timedelta(days=400)
    for n in range(3):
        await audit_row(app, f"old.{n}", None, created_at=old + timedelta(minutes=n))
    for n in range(2):
        await audit_row(app, f"new.{n}", None)
    removed = await audit_tasks.sweep(app.state.jobs.context)
    assert removed == 3
    assert await _seqs(app) == [4, 5]
    assert (await _verify(app)).intact


@pytest.fixture
def cli_env(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = app.state.settings
    monkeypatch.setenv("VEZA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VEZA_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("VEZA_AUTH__JWT_SECRET", settings.auth.jwt_secret.get_secret_value())
    cli_module.get_settings.cache_clear()
    yield
    cli_module.get_settings.cache_clear()


def _run_verify() -> tuple[int, str]:
    result = CliRunner().invoke(cli_module.app, ["audit", "verify"])
    return result.exit_code, result.output


async def test_veza_audit_verify_reports_the_first_broken_link(app: FastAPI, cli_env: None) -> None:
    rows = [await audit_row(app, f"c.{n}", None) for n in range(3)]
    code, output = await asyncio.to_thread(_run_verify)
    assert code == 0 and "intact: 3 rows verified" in output, output
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(AuditLog).where(AuditLog.id == rows[1].id).values(action="forged")
        )
    code, output = await asyncio.to_thread(_run_verify)
    assert code == 1 and "BROKEN at seq 2" in output and str(rows[1].id) in output, output
