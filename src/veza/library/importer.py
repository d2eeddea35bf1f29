"""`veza import`: a whole folder, file after file, with a progress bar (rich) and a report.

Each file is committed on its own (library/service.py), so Ctrl-C or a kill loses at most the
file in progress and a rerun skips everything already imported (by content hash). Processing
runs in this process when there is no Redis (the bar waits for each file's job, so its
throughput is the real one), else in `veza worker`s.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from veza.kit.db import Database
from veza.kit.jobs import JobQueue
from veza.library import service
from veza.library.walker import candidate_files
from veza.uploads.dependencies import UploadTools


@dataclass
class ImportReport:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    bytes_imported: int = 0
    seconds: float = 0.0
    stopped_by_quota: bool = False
    resumed: int = 0

    def summary(self) -> str:
        parts = [f"{self.counts[service.IMPORTED]} imported"]
        if self.counts[service.WOULD_IMPORT]:
            parts = [f"{self.counts[service.WOULD_IMPORT]} would be imported"]
        parts.append(f"{self.counts[service.SKIPPED]} already imported")
        parts.append(f"{len(self.problems)} not imported")
        return ", ".join(parts) + f" in {self.seconds:.1f} s"


Progress = Callable[[service.Outcome, int], None]  # (outcome, files done)


async def import_folder(
    database: Database,
    tools: UploadTools,
    jobs: JobQueue,
    user_id: uuid.UUID,
    folder: Path,
    *,
    public: bool,
    dry_run: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_file: Progress | None = None,
) -> ImportReport:
    """Import every candidate file of ``folder``; ``on_start(files, bytes)`` and ``on_file``
    drive the progress display."""
    root = await asyncio.to_thread(folder.resolve)
    report = ImportReport()
    started = time.monotonic()
    if not dry_run:
        report.resumed = await service.resume_processing(database, jobs, user_id)
        await jobs.drain()
    files = await asyncio.to_thread(lambda: list(candidate_files(root)))
    if on_start is not None:
        on_start(len(files), await asyncio.to_thread(lambda: sum(_size(p) for p in files)))
    for done, path in enumerate(files, start=1):
        outcome = await service.import_file(
            database, tools, user_id, path, root, public=public, dry_run=dry_run
        )
        if outcome.kind == service.IMPORTED and outcome.track_id is not None:
            await jobs.drain()  # in-process processing; a no-op with Redis workers
            failure = await service.processing_result(database, outcome.track_id)
            if failure is not None and failure != "processing":
                outcome = service.Outcome(
                    service.UNSUPPORTED, path, outcome.size, outcome.track_id, failure
                )
        _record(report, outcome, root)
        if on_file is not None:
            on_file(outcome, done)
        if outcome.kind == service.OVER_QUOTA:
            report.stopped_by_quota = True
            break
    report.seconds = time.monotonic() - started
    return report


def _record(report: ImportReport, outcome: service.Outcome, root: Path) -> None:
    report.counts[outcome.kind] += 1
    if outcome.kind == service.IMPORTED:
        report.bytes_imported += outcome.size
    if outcome.kind in (service.UNSUPPORTED, service.OVER_QUOTA):
        report.problems.append((_relative(outcome.path, root), outcome.reason or outcome.kind))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
