"""Fixtures of the library tests: a generated music folder of real files, and the import run
the way `veza import` runs it (the app's database, storage and in-process job queue)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.library.music import make_music_folder
from veza.library.importer import ImportReport, import_folder
from veza.uploads.dependencies import UploadTools


@pytest.fixture(scope="session")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("library")
    return make_music_folder(base / "Music", base / "elsewhere")


@pytest.fixture(autouse=True)
async def _drain_jobs_at_teardown(app: FastAPI) -> AsyncIterator[None]:
    yield
    await app.state.jobs.drain()


async def run_import(
    app: FastAPI, user_id: uuid.UUID, folder: Path, tools: UploadTools | None = None, **kw: Any
) -> ImportReport:
    state = app.state
    return await import_folder(
        state.db,
        tools or UploadTools(state.settings.media, state.storage),
        state.jobs,
        user_id,
        folder,
        public=kw.pop("public", True),
        **kw,
    )
