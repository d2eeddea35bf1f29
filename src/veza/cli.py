"""The `veza` command: serve, worker, migrate, create-admin, copy-db, openapi, and the groups
of `veza.commands` (marketplace, search, audit, import, subsonic).

Every command reads the settings once, before it runs, and says which data folder it uses
(`serve` and `worker` in their start-up log line, the others on stderr). The folder is
VEZA_DATA_DIR, else one that does not depend on where the command runs
(`config.default_data_dir`), so `veza create-admin` run from any folder meets the database
`veza serve` uses.

What only one command needs is imported inside it (the token codec, argon2, arq): `veza worker`
and the short commands do not carry the server's modules. `veza serve` hands over to
`veza.serving` (uvicorn) once the port is taken and the database migrated, replacing its
process: the server does not carry the command line's.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import re
import socket
import sys
from datetime import UTC, datetime
from typing import NoReturn

import structlog
import typer
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from veza import API_PREFIX, copydb, serving
from veza.commands import library, maintenance, marketplace
from veza.commands.common import (
    command_settings,
    fail,
    migrate_in_a_child_or_fail,
    migrate_or_fail,
    this_code_environment,
    without_password,
)
from veza.config import Settings, get_settings
from veza.kit.db import Database
from veza.kit.errors import first_line
from veza.kit.logging import configure_logging
from veza.kit.native_memory import limit_malloc_arenas

app = typer.Typer(help="Veza: a self-hostable music platform backend.", no_args_is_help=True)
app.add_typer(marketplace.marketplace_cli, name="marketplace")
app.add_typer(maintenance.search_app, name="search")
app.add_typer(maintenance.audit_app, name="audit")
app.add_typer(library.subsonic_app, name="subsonic")
app.command("import")(library.import_music)

_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")


def _log_start(command: str, settings: Settings, **details: object) -> None:
    """Configure the log output, then say what this process works with."""
    configure_logging(settings.log)
    public_url = settings.server.public_url
    structlog.get_logger("veza.cli").info(
        "veza_starting",
        command=command,
        database=without_password(settings.effective_database_url),
        data_dir=str(settings.data_dir),
        public_url=public_url,
        docs_url=f"{public_url}{API_PREFIX}/docs",
        **details,
    )


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default from VEZA_SERVER__HOST)"),
    port: int = typer.Option(
        None, min=1, max=65535, help="Port to listen on (default from VEZA_SERVER__PORT)"
    ),
    workers: int = typer.Option(None, min=1, help="Number of worker processes"),
    reload: bool = typer.Option(False, help="Reload on code changes (development)"),
) -> None:
    """Take the port, apply pending migrations, then serve the API."""
    from veza.kit.tokens import load_or_create_secret

    # uvicorn builds the application from the environment (in each worker process): the
    # options reach it, and the public URL derived from them, that way.
    if host:
        os.environ["VEZA_SERVER__HOST"] = host
    if port:
        os.environ["VEZA_SERVER__PORT"] = str(port)
    get_settings.cache_clear()
    settings = command_settings(say_where=False)
    limit_malloc_arenas(settings.server.malloc_arena_max)  # before any thread starts
    process_count = 1 if reload else (workers or settings.server.workers)
    if process_count > 1 and not settings.redis_url:
        # Without Redis, jobs and rate limits live inside each process: several processes would
        # each re-run interrupted jobs at start-up and count limits separately.
        raise typer.BadParameter(
            "several workers need VEZA_REDIS_URL (jobs and rate limits are per process without it)",
            param_hint="--workers",
        )
    # The port first: a second server started by mistake must stop before it migrates or its
    # start-up re-queues the jobs the running one is doing.
    listener = listen(settings.server.host, settings.server.port)
    with listener:
        migrate_in_a_child_or_fail(settings)
        load_or_create_secret(settings)  # once, before workers start
        _log_start(
            "serve",
            settings,
            listen=f"{settings.server.host}:{settings.server.port}",
            workers=process_count,
        )
        run_server(settings, listener, process_count=process_count, reload=reload)


def listen(host: str, port: int) -> socket.socket:
    """A socket bound and listening on host:port, or a clear error when it cannot be had."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            fail(
                f"{host}:{port} is already in use (another server?); "
                "choose another port with --port or VEZA_SERVER__PORT"
            )
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    listener.set_inheritable(True)  # worker processes serve on it
    return listener


def run_server(
    settings: Settings, listener: socket.socket, *, process_count: int, reload: bool
) -> NoReturn:
    """Become the serving process (veza/serving.py): the same pid and socket, none of the
    command line's modules. ``settings`` are the environment's, which it reads again."""
    del settings
    command = serving.command_line(listener, process_count=process_count, reload=reload)
    sys.stdout.flush()
    sys.stderr.flush()  # the start-up line is written before the process is replaced
    try:
        os.execve(command[0], command, this_code_environment())  # noqa: S606  (this interpreter)
    except OSError as exc:
        fail(f"cannot start the server ({command[0]}): {exc.strerror or exc}")


@app.command()
def worker() -> None:
    """Run background jobs from Redis (needs VEZA_REDIS_URL): processing, sweeps, recovery."""
    from arq.worker import run_worker

    from veza.kit.jobs import JobContext, JobQueue, create_job_queue, worker_settings
    from veza.kit.storage import create_storage
    from veza.registry import register_all

    settings = command_settings(say_where=False)
    limit_malloc_arenas(settings.server.malloc_arena_max)
    if not settings.redis_url:
        raise typer.BadParameter("set VEZA_REDIS_URL: without Redis, jobs run inside `veza serve`")
    register_all()
    migrate_in_a_child_or_fail(settings)
    _log_start(
        "worker",
        settings,
        redis=without_password(settings.redis_url),
        queue=settings.jobs.queue_name,
    )

    def context() -> JobContext:
        database = Database.from_settings(settings)
        jobs = create_job_queue(settings)
        database.provide(JobQueue, jobs)
        return JobContext(
            settings=settings, db=database, storage=create_storage(settings), jobs=jobs
        )

    run_worker(worker_settings(settings, context))


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    migrate_or_fail(command_settings())
    typer.echo("database is up to date")


@app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., prompt=True),
    username: str = typer.Option(..., prompt=True),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an administrator account (verified, role admin)."""
    from veza.kit.passwords import hash_password_sync
    from veza.models import User

    email = email.strip().lower()
    if "@" not in email:
        raise typer.BadParameter("not an email address", param_hint="email")
    if not _USERNAME_RE.match(username):
        raise typer.BadParameter("3-50 letters, digits, _ . -", param_hint="username")
    if len(password) < 12:
        raise typer.BadParameter("at least 12 characters", param_hint="password")
    settings = command_settings()
    migrate_or_fail(settings)

    async def _create() -> None:
        database = Database.from_settings(settings)
        try:
            async with database.writer() as session, session.begin():
                clash = await session.scalar(
                    select(User.id).where(
                        or_(
                            func.lower(User.email) == email,
                            func.lower(User.username) == username.lower(),
                        )
                    )
                )
                if clash is not None:
                    raise typer.BadParameter("email or username already taken")
                now = datetime.now(UTC)
                session.add(
                    User(
                        email=email,
                        username=username,
                        password_hash=hash_password_sync(password),
                        role="admin",
                        is_admin=True,
                        is_verified=True,
                        email_verified_at=now,
                        password_changed_at=now,
                    )
                )
        finally:
            await database.dispose()

    asyncio.run(_create())
    typer.echo(f"administrator {username} created")


@app.command("copy-db")
def copy_db(
    to: str = typer.Option(
        ..., "--to", help="Database to copy into, e.g. postgresql+asyncpg://veza:pw@host/veza"
    ),
    source: str = typer.Option(
        None, "--from", help="Database to copy from (default: the configured one)"
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Empty the target first when it already holds rows"
    ),
    batch_size: int = typer.Option(1000, min=1, help="Rows read and written at a time"),
) -> None:
    """Copy every table into another database (e.g. SQLite to PostgreSQL), migrating it first.

    Stop `veza serve` and `veza worker` first: rows written during the copy are not copied.
    """
    settings = command_settings()
    try:
        target_url = copydb.checked_url(to, option="--to")
        source_url = copydb.checked_url(source or settings.effective_database_url, option="--from")
    except copydb.CopyRefused as exc:
        fail(str(exc))
    if copydb.same_database(source_url, target_url):
        fail("--to names the database being copied")
    for url in (source_url, target_url):
        migrate_or_fail(settings.model_copy(update={"database_url": url}))
    typer.echo(f"copying {without_password(source_url)} into {without_password(target_url)}")
    try:
        result = asyncio.run(
            copydb.copy_database(
                settings,
                source_url,
                target_url,
                replace=replace,
                batch_size=batch_size,
                report=lambda table, rows: typer.echo(f"  {table}: {rows} rows"),
            )
        )
    except copydb.CopyRefused as exc:
        fail(str(exc))
    except (OSError, SQLAlchemyError) as exc:
        fail(f"the copy failed, the target is unchanged: {first_line(exc)}")
    for table in result.not_copied:
        typer.echo(f"veza: warning: {table} is not a Veza table, not copied", err=True)
    typer.echo(f"copied {sum(result.rows.values())} rows in {len(result.rows)} tables")


@app.command()
def openapi() -> None:
    """Print the served OpenAPI schema as JSON."""
    from veza.app import create_app

    typer.echo(json.dumps(create_app(command_settings()).openapi(), indent=2))
