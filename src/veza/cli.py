"""The `veza` command: serve, worker, migrate, create-admin, copy-db, openapi, audit verify.

Every command reads the settings once, before it runs, and says which data folder it uses
(`serve` and `worker` in their start-up log line, the others on stderr). The folder is
VEZA_DATA_DIR, else one that does not depend on where the command runs
(`config.default_data_dir`), so `veza create-admin` run from any folder meets the database
`veza serve` uses.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import re
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import structlog
import typer
import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from veza import copydb
from veza.config import Settings, get_settings
from veza.kit.db import Database
from veza.kit.logging import configure_logging
from veza.kit.migrations import upgrade_to_head
from veza.kit.passwords import hash_password_sync
from veza.kit.tokens import load_or_create_secret

app = typer.Typer(help="Veza: a self-hostable music platform backend.", no_args_is_help=True)

_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def _load_settings() -> Settings:
    """The settings, or a one-line error naming each bad variable (never a traceback)."""
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{_variable(error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        _fail(f"invalid settings: {problems}")
    except SettingsError as exc:
        _fail(f"invalid settings: {exc}")


def _variable(location: tuple[int | str, ...]) -> str:
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


def _settings(*, say_where: bool = True) -> Settings:
    """The settings a command runs with; it says which data folder that means (on stderr, so
    `veza openapi` output stays clean) unless its start-up log line will."""
    settings = _load_settings()
    if say_where:
        typer.echo(f"veza: data folder {settings.data_dir}", err=True)
    _warn_about_an_unused_var_folder(settings)
    return settings


def _warn_about_an_unused_var_folder(settings: Settings) -> None:
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


def _log_start(command: str, settings: Settings, **details: object) -> None:
    """Configure the log output, then say what this process works with."""
    from veza.app import API_PREFIX

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


def _migrate(settings: Settings) -> None:
    try:
        upgrade_to_head(settings)
    except (OSError, SQLAlchemyError) as exc:
        _fail(
            f"cannot migrate {without_password(settings.effective_database_url)}: "
            f"{_first_line(exc)}"
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


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
    # uvicorn builds the application from the environment (in each worker process): the
    # options reach it, and the public URL derived from them, that way.
    if host:
        os.environ["VEZA_SERVER__HOST"] = host
    if port:
        os.environ["VEZA_SERVER__PORT"] = str(port)
    get_settings.cache_clear()
    settings = _settings(say_where=False)
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
        _migrate(settings)
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
            _fail(
                f"{host}:{port} is already in use (another server?); "
                "choose another port with --port or VEZA_SERVER__PORT"
            )
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    listener.set_inheritable(True)  # worker processes serve on it
    return listener


def run_server(
    settings: Settings, listener: socket.socket, *, process_count: int, reload: bool
) -> None:
    """uvicorn on the socket already taken, with one or several processes."""
    from uvicorn.supervisors import ChangeReload, Multiprocess

    config = uvicorn.Config(
        "veza.app:create_app",
        factory=True,
        host=settings.server.host,
        port=settings.server.port,
        workers=process_count,
        reload=reload,
        log_config=None,  # our structlog configuration owns the log output
        proxy_headers=True,
        forwarded_allow_ips=settings.server.forwarded_allow_ips,
        server_header=False,
    )
    server = uvicorn.Server(config)
    if reload:
        ChangeReload(config, target=server.run, sockets=[listener]).run()
    elif process_count > 1:
        Multiprocess(config, sockets=[listener]).run()
    else:
        server.run(sockets=[listener])
        if not server.started:
            _fail("the server did not start (see the log above)")


@app.command()
def worker() -> None:
    """Run background jobs from Redis (needs VEZA_REDIS_URL): processing, sweeps, recovery."""
    from arq.worker import run_worker

    from veza.kit.jobs import JobContext, JobQueue, create_job_queue, worker_settings
    from veza.kit.storage import create_storage
    from veza.registry import register_all

    settings = _settings(say_where=False)
    if not settings.redis_url:
        raise typer.BadParameter("set VEZA_REDIS_URL: without Redis, jobs run inside `veza serve`")
    register_all()
    _migrate(settings)
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
    _migrate(_settings())
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
    settings = _settings()
    _migrate(settings)

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


marketplace_cli = typer.Typer(
    help="Marketplace operations without an API route: sandbox payments, refunds, promo codes."
)
app.add_typer(marketplace_cli, name="marketplace")


def _run_with_database(work: Any) -> Any:
    """Run ``work(database)`` with the app's database, job queue and event subscribers."""
    from veza.kit.jobs import JobQueue, create_job_queue
    from veza.registry import register_all

    settings = _settings()
    _migrate(settings)
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


def _settle(order_id: str, outcome: str) -> None:
    from veza.marketplace.admin import settle_order

    try:
        order = uuid.UUID(order_id)
        status = _run_with_database(
            lambda db, settings: settle_order(db, order, outcome, settings.marketplace)  # type: ignore[arg-type]
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="ORDER_ID") from exc
    typer.echo(f"order {order_id} is {status}")


@marketplace_cli.command("pay")
def marketplace_pay(order_id: str) -> None:
    """Pay a pending order (the sandbox provider's success)."""
    _settle(order_id, "pay")


@marketplace_cli.command("fail")
def marketplace_fail(order_id: str) -> None:
    """Fail a pending order (the sandbox provider's decline)."""
    _settle(order_id, "fail")


@marketplace_cli.command("refund")
def marketplace_refund(order_id: str) -> None:
    """Refund a paid order at any time (the buyer's own refund keeps to the deadline)."""
    _settle(order_id, "refund")


@marketplace_cli.command("promo-code")
def marketplace_promo_code(
    code: str,
    percent: int | None = typer.Option(None, help="Percent off (1-100)"),
    fixed_cents: int | None = typer.Option(None, help="Amount off, in cents"),
    product_id: str | None = typer.Option(None, help="Only for this product"),
    seller_id: str | None = typer.Option(None, help="Only for this seller's products"),
    expires_at: datetime | None = typer.Option(None, help="Expiry (UTC), e.g. 2027-01-31T23:59"),
    max_uses: int | None = typer.Option(None, help="Uses allowed in all"),
) -> None:
    """Create a promo code (percent or fixed, for a product, a seller or everything)."""
    from veza.marketplace.admin import add_promo_code

    if (percent is None) == (fixed_cents is None):
        raise typer.BadParameter("give exactly one of --percent and --fixed-cents")
    try:
        product = uuid.UUID(product_id) if product_id else None
        seller = uuid.UUID(seller_id) if seller_id else None
        expiry = expires_at.replace(tzinfo=expires_at.tzinfo or UTC) if expires_at else None
        promo_id = _run_with_database(
            lambda db, _settings: add_promo_code(
                db,
                code,
                kind="percent" if percent is not None else "fixed",
                value=percent if percent is not None else fixed_cents or 0,
                product_id=product,
                seller_id=seller,
                expires_at=expiry,
                max_uses=max_uses,
            )
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"promo code {code.strip().upper()} created ({promo_id})")


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
    settings = _settings()
    try:
        target_url = copydb.checked_url(to, option="--to")
        source_url = copydb.checked_url(source or settings.effective_database_url, option="--from")
    except copydb.CopyRefused as exc:
        _fail(str(exc))
    if copydb.same_database(source_url, target_url):
        _fail("--to names the database being copied")
    for url in (source_url, target_url):
        _migrate(settings.model_copy(update={"database_url": url}))
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
        _fail(str(exc))
    except (OSError, SQLAlchemyError) as exc:
        _fail(f"the copy failed, the target is unchanged: {_first_line(exc)}")
    for table in result.not_copied:
        typer.echo(f"veza: warning: {table} is not a Veza table, not copied", err=True)
    typer.echo(f"copied {sum(result.rows.values())} rows in {len(result.rows)} tables")


search_app = typer.Typer(help="The search indexes.", no_args_is_help=True)
app.add_typer(search_app, name="search")


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild the search indexes of tracks, users and playlists from their tables."""
    from veza.search.indexing import reindex

    settings = _settings()
    _migrate(settings)
    bars: dict[str, Any] = {}

    def report(kind: str, done: int, total: int) -> None:
        bar = bars.get(kind)
        if bar is None:
            bar = bars[kind] = typer.progressbar(length=total, label=f"{kind:<10}")
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


@app.command()
def openapi() -> None:
    """Print the served OpenAPI schema as JSON."""
    from veza.app import create_app

    typer.echo(json.dumps(create_app(_settings()).openapi(), indent=2))


audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    seal: bool = typer.Option(
        True, "--seal/--no-seal", help="Chain the rows not sealed yet before checking"
    ),
) -> None:
    """Check the audit log's hash chain and report the first broken link (exit status 1)."""
    from veza.audit import chain

    settings = _settings()

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
        _fail(f"cannot read the audit log: {_first_line(exc)}")
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
