"""Background jobs: one set of task functions, two ways to run them.

- **In-process** (the embedded default): ``enqueue`` starts the task on the running event loop.
  CPU-heavy work inside a task runs in a thread (``asyncio.to_thread``), so requests keep being
  served. ``drain()`` waits for every started task, which is how tests wait deterministically.
- **arq over Redis** (when ``VEZA_REDIS_URL`` is set): API processes only enqueue; ``veza worker``
  processes run the tasks. arq was chosen over taskiq because it is asyncio-native, small, keeps
  a job in Redis until it has finished (a worker killed mid-job leaves it to be run again), and
  deduplicates by job id.

Domains declare tasks with ``@task("name")`` (signature ``async def fn(ctx: JobContext, *ids)``),
start-up hooks with ``@on_startup`` (e.g. re-enqueue work a restart cut short) and periodic
sweeps with ``@periodic("name", seconds)``. Jobs take ids, never ORM objects, and are enqueued
by name after the commit (``enqueue_after_commit``), so a job never sees uncommitted data and
the code that asks for a job never imports the module that runs it. Every module declaring
tasks is imported by ``veza.registry``, nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from veza.config import Settings
from veza.kit.db import Database, after_commit, provided
from veza.kit.storage import Storage

log = structlog.get_logger("veza.jobs")


@dataclass
class JobContext:
    """What a task may use: settings, database, storage and the queue itself (to chain jobs)."""

    settings: Settings
    db: Database
    storage: Storage
    jobs: JobQueue


TaskFunction = Callable[..., Awaitable[Any]]
StartupHook = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    function: Callable[[JobContext], Awaitable[Any]]
    interval: Callable[[Settings], int]  # seconds, read from the settings


_tasks: dict[str, TaskFunction] = {}
_startup_hooks: list[StartupHook] = []
_periodic_tasks: dict[str, PeriodicTask] = {}


def task(name: str) -> Callable[[TaskFunction], TaskFunction]:
    """Register ``fn(ctx, *args)`` under ``name`` (the name is what is enqueued)."""

    def register(function: TaskFunction) -> TaskFunction:
        _tasks[name] = function
        return function

    return register


def on_startup(hook: StartupHook) -> StartupHook:
    """Run ``hook(ctx)`` when the job runner starts (the app in-process, or ``veza worker``)."""
    if hook not in _startup_hooks:
        _startup_hooks.append(hook)
    return hook


def periodic(
    name: str, interval: Callable[[Settings], int]
) -> Callable[[Callable[[JobContext], Awaitable[Any]]], Callable[[JobContext], Awaitable[Any]]]:
    def register(
        function: Callable[[JobContext], Awaitable[Any]],
    ) -> Callable[[JobContext], Awaitable[Any]]:
        _periodic_tasks[name] = PeriodicTask(name, function, interval)
        return function

    return register


def registered_tasks() -> dict[str, TaskFunction]:
    return dict(_tasks)


async def run_startup_hooks(ctx: JobContext) -> None:
    for hook in list(_startup_hooks):
        try:
            await hook(ctx)
        except Exception:
            log.exception("startup_hook_failed", hook=getattr(hook, "__name__", repr(hook)))


async def run_task(ctx: JobContext, name: str, *args: Any) -> Any:
    """Run a registered task now, in this process (the worker's and the in-process path)."""
    function = _tasks.get(name)
    if function is None:
        raise LookupError(f"no task named {name!r}")
    return await function(ctx, *args)


def enqueue_after_commit(
    session: AsyncSession, name: str, *args: Any, job_id: str | None = None
) -> None:
    """Enqueue the task ``name`` once the session's transaction has committed (never if it
    rolls back), on the queue the session's database provides."""
    queue = provided(session, JobQueue)
    if queue is None:
        raise RuntimeError("no job queue provided to this database")

    async def _enqueue() -> None:
        await queue.enqueue(name, *args, job_id=job_id)

    after_commit(session, _enqueue)


class JobQueue(ABC):
    _context_factory: Callable[[], JobContext] | None = None

    def bind(self, context_factory: Callable[[], JobContext]) -> None:
        """Give the queue the context its tasks run with (built on demand: the app's state)."""
        self._context_factory = context_factory

    @property
    def context(self) -> JobContext:
        if self._context_factory is None:
            raise RuntimeError("job queue not bound to a context")
        return self._context_factory()

    @abstractmethod
    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        """Schedule ``name(*args)``; a job id already queued or running is not queued twice."""

    async def start(self) -> None:
        """Called when the API starts serving."""
        return None

    async def close(self) -> None:
        """Called when the API stops."""
        return None

    async def drain(self) -> None:
        """Wait until the jobs this process runs are done (in-process only; a no-op otherwise)."""
        return None


class InProcessQueue(JobQueue):
    def __init__(self) -> None:
        self._running: dict[asyncio.Task[Any], str | None] = {}
        self._periodic: list[asyncio.Task[None]] = []

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        if name not in _tasks:
            raise LookupError(f"no task named {name!r}")
        if job_id is not None and job_id in self._running.values():
            return
        running = asyncio.create_task(self._run(name, args), name=job_id or name)
        self._running[running] = job_id
        running.add_done_callback(self._running.pop)

    async def _run(self, name: str, args: tuple[Any, ...]) -> None:
        try:
            await run_task(self.context, name, *args)
        except Exception:
            # The task owns its failure handling (e.g. marking a track failed); this is the net.
            log.exception("job_failed", job=name)

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def start(self) -> None:
        await run_startup_hooks(self.context)
        for periodic_task in _periodic_tasks.values():
            self._periodic.append(asyncio.create_task(self._every(periodic_task)))

    async def _every(self, periodic_task: PeriodicTask) -> None:
        interval = max(1, periodic_task.interval(self.context.settings))
        while True:
            await asyncio.sleep(interval)
            try:
                await periodic_task.function(self.context)
            except Exception:
                log.exception("periodic_job_failed", job=periodic_task.name)

    async def close(self) -> None:
        for loop_task in self._periodic:
            loop_task.cancel()
        for loop_task in self._periodic:
            with contextlib.suppress(asyncio.CancelledError):
                await loop_task
        self._periodic.clear()
        await self.drain()


class ArqQueue(JobQueue):
    """Enqueues into Redis for ``veza worker`` processes to run."""

    def __init__(self, redis_url: str, queue_name: str) -> None:
        self.redis_url = redis_url
        self.queue_name = queue_name
        self._pool: Any = None
        self._lock = asyncio.Lock()

    async def _get_pool(self) -> Any:
        async with self._lock:
            if self._pool is None:
                from arq import create_pool
                from arq.connections import RedisSettings

                self._pool = await create_pool(
                    RedisSettings.from_dsn(self.redis_url), default_queue_name=self.queue_name
                )
        return self._pool

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        pool = await self._get_pool()
        await pool.enqueue_job(name, *args, _job_id=job_id)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


def create_job_queue(settings: Settings) -> JobQueue:
    if settings.redis_url:
        return ArqQueue(settings.redis_url, settings.jobs.queue_name)
    return InProcessQueue()


def _cron_minutes(interval_seconds: int) -> set[int]:
    step = max(1, min(60, interval_seconds // 60))
    return set(range(0, 60, step))


def worker_settings(settings: Settings, context_factory: Callable[[], JobContext]) -> Any:
    """The arq worker configuration: every registered task, start-up hooks, periodic sweeps."""
    from arq import cron
    from arq.connections import RedisSettings
    from arq.worker import func

    def _wrap(name: str) -> Callable[..., Awaitable[Any]]:
        async def call(arq_ctx: dict[str, Any], *args: Any) -> Any:
            return await run_task(arq_ctx["veza"], name, *args)

        call.__qualname__ = call.__name__ = name.replace(".", "_")
        return call

    def _wrap_periodic(periodic_task: PeriodicTask) -> Callable[..., Awaitable[Any]]:
        async def call(arq_ctx: dict[str, Any]) -> Any:
            return await periodic_task.function(arq_ctx["veza"])

        call.__qualname__ = call.__name__ = periodic_task.name.replace(".", "_")
        return call

    async def startup(arq_ctx: dict[str, Any]) -> None:
        arq_ctx["veza"] = context_factory()
        await run_startup_hooks(arq_ctx["veza"])

    async def shutdown(arq_ctx: dict[str, Any]) -> None:
        veza_ctx: JobContext | None = arq_ctx.get("veza")
        if veza_ctx is not None:
            await veza_ctx.jobs.close()
            await veza_ctx.db.dispose()

    class WorkerSettings:
        functions = [
            func(cast(Any, _wrap(name)), name=name, max_tries=settings.jobs.max_attempts)
            for name in sorted(_tasks)
        ]
        cron_jobs = [
            cron(
                cast(Any, _wrap_periodic(p)),
                name=p.name,
                minute=_cron_minutes(p.interval(settings)),
                second=0,
                unique=True,
            )
            for p in _periodic_tasks.values()
        ]
        redis_settings = RedisSettings.from_dsn(settings.redis_url)
        queue_name = settings.jobs.queue_name
        job_timeout = settings.jobs.timeout_seconds
        on_startup = startup
        on_shutdown = shutdown

    return WorkerSettings


def bind_to_app_state(queue: JobQueue, state: Any) -> None:
    """Tasks run in-process with the app's own settings, database and storage (read when a job
    starts, so a test that swaps the database is followed)."""
    queue.bind(
        lambda: JobContext(settings=state.settings, db=state.db, storage=state.storage, jobs=queue)
    )
