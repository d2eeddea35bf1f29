"""Fixtures shared by the folders whose tests upload real audio (uploads, media, playback,
tracks, engagement), registered for the whole suite by ``pytest_plugins`` in tests/conftest.py.

- ``audio``: the samples of tests/audio.py, made once per session;
- ``owner``, ``other``: two ordinary users, each an ``Uploader`` (tests/helpers.py);
- ``admin_uploader``: an administrator as an ``Uploader`` (not the ``admin`` factory of
  tests/factories.py, which makes a ``Member``).

The folders that use them drain the job queue at teardown in their own conftest.py.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.audio import AudioSamples, write_samples
from tests.factories import admin, member
from tests.helpers import Uploader


@pytest.fixture(scope="session")
def audio(tmp_path_factory: pytest.TempPathFactory) -> AudioSamples:
    return write_samples(tmp_path_factory.mktemp("audio"))


@pytest.fixture
async def owner(app: FastAPI, client: httpx.AsyncClient) -> Uploader:
    someone = await member(app)
    return Uploader(app, client, someone.user, someone.headers)


@pytest.fixture
async def other(app: FastAPI, client: httpx.AsyncClient) -> Uploader:
    someone = await member(app)
    return Uploader(app, client, someone.user, someone.headers)


@pytest.fixture
async def admin_uploader(app: FastAPI, client: httpx.AsyncClient) -> Uploader:
    administrator = await admin(app)
    return Uploader(app, client, administrator.user, administrator.headers)
