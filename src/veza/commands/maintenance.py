"""`veza search reindex` and `veza audit verify`: rebuilding and checking derived data."""

from __future__ import annotations

import asyncio
from typing import Any

import typer
from sqlalchemy.exc import SQLAlchemyError

from veza.commands.common import command_settings, fail, migrate_or_fail
from veza.kit.db import Database
from veza.kit.errors import first_line

search_app = typer.Typer(help="The search indexes.", no_args_is_help=True)


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild the search indexes of tracks, users and playlists from their tables."""
    from veza.search.indexing import reindex

    settings = command_settings()
    migrate_or_fail(settings)
    bars: dict[str, Any] = {}

    def report(kind: str, done: int, total: int) -> None:
        bar = bars.get(kind)
        if bar is None:
            bar = bars[kind] = typer.progressbar(length=total, label=f"{kind:<15}")
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    async def run() -> dict[str, int]:
        database = Database.from_settings(settings)
        try:
            return await reindex(database, report)
        finally:
            await database.dispose()

    indexed = asyncio.run(run())
    typer.echo("indexed " + ", ".join(f"{n} {kind}" for kind, n in indexed.items()))


audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    seal: bool = typer.Option(
        True, "--seal/--no-seal", help="Chain the rows not sealed yet before checking"
    ),
) -> None:
    """Check the audit log's hash chain and report the first broken link (exit status 1)."""
    from veza.audit import chain

    settings = command_settings()

    async def run() -> chain.Verification:
        database = Database.from_settings(settings)
        try:
            if seal:
                await chain.seal_pending(database)
            async with database.reader() as session:
                return await chain.verify(session)
        finally:
            await database.dispose()

    try:
        report = asyncio.run(run())
    except (OSError, SQLAlchemyError) as exc:
        fail(f"cannot read the audit log: {first_line(exc)}")
    span = f"rows {report.first_seq}..{report.last_seq}" if report.first_seq else "no rows"
    if not report.intact:
        typer.echo(
            f"audit chain BROKEN at seq {report.broken_seq}"
            + (f" (row {report.broken_id})" if report.broken_id else "")
            + f": {report.reason}; {report.checked} rows verified before it"
        )
        raise typer.Exit(1)
    typer.echo(
        f"audit chain intact: {report.checked} rows verified ({span}), "
        f"{report.unsealed} not sealed yet"
    )
