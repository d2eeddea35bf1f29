"""The terminal side of `veza import`: the user lookup, the rich progress bar (files, bytes,
throughput, ETA) and the report of what was not imported, by name."""

from __future__ import annotations

import uuid
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from sqlalchemy import func, select

from veza.config import Settings
from veza.kit.db import Database
from veza.kit.jobs import JobContext, JobQueue, create_job_queue
from veza.kit.storage import create_storage
from veza.library import service
from veza.library.importer import ImportReport, import_folder
from veza.models import User
from veza.uploads.dependencies import UploadTools


async def find_user(database: Database, username: str) -> uuid.UUID | None:
    async with database.reader() as session:
        return await session.scalar(
            select(User.id).where(
                func.lower(User.username) == username.lower(), User.deleted_at.is_(None)
            )
        )


async def run_import(
    settings: Settings, folder: Path, user_id: uuid.UUID, *, public: bool, dry_run: bool
) -> ImportReport:
    database = Database.from_settings(settings)
    storage = create_storage(settings)
    jobs = create_job_queue(settings)
    jobs.bind(lambda: JobContext(settings=settings, db=database, storage=storage, jobs=jobs))
    database.provide(JobQueue, jobs)
    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            bar = progress.add_task("importing", total=None)
            state = {"files": 0}

            def on_start(files: int, size: int) -> None:
                state["files"] = files
                progress.update(bar, total=size, description=f"{files} files")

            def on_file(outcome: service.Outcome, done: int) -> None:
                progress.update(
                    bar,
                    advance=outcome.size,
                    description=f"{done}/{state['files']} {outcome.kind}",
                )

            return await import_folder(
                database,
                UploadTools(settings.media, storage),
                jobs,
                user_id,
                folder,
                public=public,
                dry_run=dry_run,
                on_start=on_start,
                on_file=on_file,
            )
    finally:
        await jobs.close()
        await database.dispose()


def print_report(report: ImportReport) -> None:
    console = Console(stderr=True)
    console.print(report.summary())
    if report.resumed:
        console.print(f"{report.resumed} interrupted imports were processed")
    for name, reason in report.problems:
        console.print(f"  not imported: {name}: {reason}", markup=False, highlight=False)
    if report.stopped_by_quota:
        console.print("stopped: the storage quota is full (rerun after freeing space)")
