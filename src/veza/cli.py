"""The `veza` command: serve, worker, migrate, create-admin, openapi."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import typer
import uvicorn
from sqlalchemy import func, or_, select

from veza.config import get_settings
from veza.kit.db import Database
from veza.kit.migrations import upgrade_to_head
from veza.kit.passwords import hash_password_sync
from veza.kit.tokens import load_or_create_secret

app = typer.Typer(help="Veza: a self-hostable music platform backend.", no_args_is_help=True)

_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default from VEZA_SERVER__HOST)"),
    port: int = typer.Option(None, help="Port to listen on (default from VEZA_SERVER__PORT)"),
    workers: int = typer.Option(None, help="Number of worker processes"),
    reload: bool = typer.Option(False, help="Reload on code changes (development)"),
) -> None:
    """Apply pending migrations, then serve the API."""
    settings = get_settings()
    process_count = 1 if reload else (workers or settings.server.workers)
    if process_count > 1 and not settings.redis_url:
        # Without Redis, jobs and rate limits live inside each process: several processes would
        # each re-run interrupted jobs at start-up and count limits separately.
        raise typer.BadParameter(
            "several workers need VEZA_REDIS_URL (jobs and rate limits are per process without it)",
            param_hint="--workers",
        )
    upgrade_to_head(settings)
    load_or_create_secret(settings)  # once, before workers start
    uvicorn.run(
        "veza.app:create_app",
        factory=True,
        host=host or settings.server.host,
        port=port or settings.server.port,
        workers=None if reload else process_count,
        reload=reload,
        log_config=None,  # our structlog configuration owns the log output
        proxy_headers=True,
        forwarded_allow_ips=settings.server.forwarded_allow_ips,
        server_header=False,
    )


@app.command()
def worker() -> None:
    """Run background jobs from Redis (needs VEZA_REDIS_URL): processing, sweeps, recovery."""
    from arq.worker import run_worker

    from veza.kit.jobs import JobContext, JobQueue, create_job_queue, worker_settings
    from veza.kit.storage import create_storage
    from veza.registry import register_all

    register_all()

    settings = get_settings()
    if not settings.redis_url:
        raise typer.BadParameter("set VEZA_REDIS_URL: without Redis, jobs run inside `veza serve`")
    upgrade_to_head(settings)

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
    upgrade_to_head(get_settings())
    typer.echo("database is up to date")


@app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., prompt=True),
    username: str = typer.Option(..., prompt=True),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an administrator account (verified, role admin)."""
    from veza.models import User

    email = email.strip().lower()
    if "@" not in email:
        raise typer.BadParameter("not an email address", param_hint="email")
    if not _USERNAME_RE.match(username):
        raise typer.BadParameter("3-50 letters, digits, _ . -", param_hint="username")
    if len(password) < 12:
        raise typer.BadParameter("at least 12 characters", param_hint="password")
    settings = get_settings()
    upgrade_to_head(settings)

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


@app.command()
def openapi() -> None:
    """Print the served OpenAPI schema as JSON."""
    from veza.app import create_app

    typer.echo(json.dumps(create_app().openapi(), indent=2))
