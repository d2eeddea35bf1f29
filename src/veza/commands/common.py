"""What every `veza` command shares: its settings (a one-line error for a bad one, never a
traceback), the data folder it says it uses, migrations, and a database with the app's job
queue and event subscribers for commands that change data."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.exc import SQLAlchemyError

from veza.config import Settings, get_settings
from veza.kit.db import Database
from veza.kit.errors import first_line
from veza.kit.migrations import upgrade_to_head


def fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def load_settings() -> Settings:
    """The settings, or a one-line error naming each bad variable (never a traceback)."""
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{variable(error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        fail(f"invalid settings: {problems}")
    except SettingsError as exc:
        fail(f"invalid settings: {exc}")


def variable(location: tuple[int | str, ...]) -> str:
    name = "__".join(str(part) for part in location).upper()
    return name if name.startswith("VEZA_") else f"VEZA_{name}"


def without_password(url: str) -> str:
    """``url`` fit for a log line: any password taken out."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}"))


def command_settings(*, say_where: bool = True) -> Settings:
    """The settings a command runs with; it says which data folder that means (on stderr, so
    `veza openapi` output stays clean) unless its start-up log line will."""
    settings = load_settings()
    if say_where:
        typer.echo(f"veza: data folder {settings.data_dir}", err=True)
    warn_about_an_unused_var_folder(settings)
    return settings


def warn_about_an_unused_var_folder(settings: Settings) -> None:
    # A database in ./var of the working directory while the data folder is elsewhere is most
    # likely the one the user means: say so rather than let them meet an empty database.
    legacy = Path.cwd() / "var"
    if (
        "data_dir" not in settings.model_fields_set
        and (legacy / "veza.db").exists()
        and legacy.resolve() != settings.data_dir
    ):
        typer.echo(
            f"veza: warning: {legacy / 'veza.db'} is not used (the data folder is "
            f"{settings.data_dir}); set VEZA_DATA_DIR={legacy} to use it",
            err=True,
        )


def migrate_or_fail(settings: Settings) -> None:
    try:
        upgrade_to_head(settings)
    except (OSError, SQLAlchemyError) as exc:
        fail(
            f"cannot migrate {without_password(settings.effective_database_url)}: {first_line(exc)}"
        )


def this_code_environment() -> dict[str, str]:
    """This process's environment, for a Python process that must run the code this one runs
    (whichever checkout or install it was imported from)."""
    import veza

    package_root = str(Path(veza.__file__).resolve().parents[1])
    search_path = os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))
    return {**os.environ, "PYTHONPATH": search_path}


def migrate_in_a_child_or_fail(settings: Settings) -> None:
    """The migrations of a long-lived process (`veza serve`, `veza worker`), run by a child
    interpreter that exits once done: Alembic never stays in the server's memory."""
    url = settings.effective_database_url
    # The child migrates the database this process uses, with the code this process runs.
    environment = {
        **this_code_environment(),
        "VEZA_DATABASE_URL": url,
        "VEZA_DATA_DIR": str(settings.data_dir),
    }
    child = subprocess.run(
        [sys.executable, "-m", "veza.kit.migrations"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        said = [line for line in child.stderr.splitlines() if line.strip()]
        reason = said[-1] if said else f"the migration process ended with {child.returncode}"
        fail(f"cannot migrate {without_password(url)}: {reason}")
    sys.stderr.write(child.stderr)  # warnings, if any, are not hidden


def run_with_database(work: Any) -> Any:
    """Run ``work(database)`` with the app's database, job queue and event subscribers."""
    from veza.kit.jobs import JobQueue, create_job_queue
    from veza.registry import register_all

    settings = command_settings()
    migrate_or_fail(settings)
    register_all()

    async def _run() -> Any:
        database = Database.from_settings(settings)
        jobs = create_job_queue(settings)
        database.provide(JobQueue, jobs)
        try:
            return await work(database, settings)
        finally:
            await jobs.close()
            await database.dispose()

    return asyncio.run(_run())
