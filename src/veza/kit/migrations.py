"""Apply the Alembic migrations shipped inside the package (``veza migrate``, start-up, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from veza.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade_to_head(settings: Settings) -> None:
    """Blocking: call it where no event loop runs (the CLI), or via ``upgrade_to_head_async``."""
    settings.ensure_dirs()
    command.upgrade(alembic_config(settings.effective_database_url), "head")


async def upgrade_to_head_async(settings: Settings) -> None:
    # env.py runs its own event loop, so it must not run on the caller's.
    await asyncio.to_thread(upgrade_to_head, settings)
