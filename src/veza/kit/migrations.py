"""Apply the Alembic migrations shipped inside the package (``veza migrate``, start-up, tests).

Alembic, Mako and the revision scripts weigh about 10 MiB once imported: the long-lived
processes (`veza serve`, `veza worker`) migrate through ``python -m veza.kit.migrations`` in a
short-lived child (``commands.common.migrate_in_a_child_or_fail``) and never import them.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from veza.config import Settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade_to_head(settings: Settings) -> None:
    """Blocking: call it where no event loop runs (the CLI), or via ``upgrade_to_head_async``."""
    from alembic import command

    settings.ensure_dirs()
    command.upgrade(alembic_config(settings.effective_database_url), "head")


async def upgrade_to_head_async(settings: Settings) -> None:
    # env.py runs its own event loop, so it must not run on the caller's.
    await asyncio.to_thread(upgrade_to_head, settings)


def main() -> None:
    """The child's entry: migrate the database of the environment's settings; on a failure the
    database or the file system reports, its first line on stderr and exit status 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from veza.config import get_settings
    from veza.kit.errors import first_line

    try:
        upgrade_to_head(get_settings())
    except (OSError, SQLAlchemyError) as exc:
        sys.stderr.write(first_line(exc) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
