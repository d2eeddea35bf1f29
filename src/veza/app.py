"""create_app(): the FastAPI application with its routers, middleware and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncConnection

# First of Veza's imports: FastAPI's pydantic.v1 checks without pydantic.v1, before any
# router module declares its routes.
from veza.kit import fastapi_v1_checks  # noqa: F401

# isort: split
from veza import API_PREFIX, __version__
from veza.audit.router import router as audit_router
from veza.auth.dependencies import Caller, authenticate_caller
from veza.auth.router import router as auth_router
from veza.comments.router import router as comments_router
from veza.config import Settings, get_settings
from veza.dashboard.router import router as dashboard_router
from veza.engagement.router import router as engagement_router
from veza.kit.db import Database
from veza.kit.fanout import Broker, create_broker
from veza.kit.handlers import install_error_handlers
from veza.kit.jobs import JobQueue, bind_to_app_state, create_job_queue
from veza.kit.logging import configure_logging
from veza.kit.middleware import RequestContextMiddleware, RequestObserver
from veza.kit.openapi import serve_contract_responses
from veza.kit.pagination import CursorCodec
from veza.kit.precedence import Precedence
from veza.kit.readlane import Authenticate, ReadLane
from veza.kit.routing import operation_id
from veza.kit.storage import create_storage
from veza.kit.tokens import TokenCodec
from veza.marketplace.router import router as marketplace_router
from veza.media.router import router as media_router
from veza.notifications.router import router as notifications_router
from veza.platform.router import DOCS_STATIC_PATH, ops_router
from veza.platform.router import router as platform_router
from veza.playback.cache import PlaybackCache
from veza.playback.fastlane import PlaybackFastLane
from veza.playback.router import hls_router
from veza.playback.router import router as playback_router
from veza.playlists.router import LANE_ROUTES as PLAYLIST_LANE_ROUTES
from veza.playlists.router import router as playlists_router
from veza.queue.router import router as queue_router
from veza.registry import register_all
from veza.search.router import LANE_ROUTES as SEARCH_LANE_ROUTES
from veza.search.router import router as search_router
from veza.social.router import router as social_router
from veza.social.service import TrendingCache
from veza.subsonic.router import access_router as subsonic_access_router
from veza.subsonic.router import router as subsonic_router
from veza.tracks.counts import CatalogCounts
from veza.tracks.router import LANE_ROUTES as TRACK_LANE_ROUTES
from veza.tracks.router import router as tracks_router
from veza.uploads.router import router as uploads_router
from veza.users.router import LANE_ROUTES as USER_LANE_ROUTES
from veza.users.router import router as users_router
from veza.webhooks.router import router as webhooks_router

# Bodies on these paths are audio files: they get the upload size limit instead of the API's.
UPLOAD_PATHS = (f"{API_PREFIX}/tracks", f"{API_PREFIX}/tracks/chunk")

# Order matters where a static path and a parameterised one overlap: DELETE /users/me (auth)
# must be matched before DELETE /users/{id} (users), /tracks/quota/{id} (uploads) and
# /tracks/search (search) before /tracks/{id} (tracks). Within a router, static paths come
# first; tests/test_routes.py fails when a parameterised route shadows a static one.
DOMAIN_ROUTERS = (
    platform_router,
    auth_router,
    users_router,
    uploads_router,
    search_router,
    tracks_router,
    engagement_router,
    playback_router,
    media_router,
    comments_router,
    playlists_router,
    queue_router,
    social_router,
    marketplace_router,
    audit_router,
    webhooks_router,
    dashboard_router,
    notifications_router,
)


def _lane_caller(codec: TokenCodec) -> Authenticate:
    """The read lane's token check: the API's (``authenticate_caller``), its caller one row."""

    async def caller(connection: AsyncConnection, token: str) -> Caller:
        return await authenticate_caller(connection, codec, token)

    return caller


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log)
    register_all()
    database = Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        await started.state.jobs.start()  # in-process: re-queue interrupted jobs, start sweeps
        yield
        await started.state.jobs.close()
        await started.state.broker.close()
        readiness_redis = getattr(started.state, "readiness_redis", None)
        if readiness_redis is not None:
            await readiness_redis.aclose()
        await database.dispose()

    app = FastAPI(
        title="Veza Backend API",
        description="Backend API for the Veza platform (contract v1.2.0), implemented in Python.",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.tokens = TokenCodec.from_settings(settings)
    app.state.storage = create_storage(settings)
    app.state.jobs = create_job_queue(settings)
    bind_to_app_state(app.state.jobs, app.state)
    app.state.playback_cache = PlaybackCache(
        settings.media.playback_cache_seconds, settings.media.stream_grant_seconds
    )
    app.state.broker = create_broker(settings)  # live fan-out (queue and session sockets)
    app.state.precedence = Precedence()  # requests being answered: uploads give way to them
    database.provide(JobQueue, app.state.jobs)
    database.provide(CursorCodec, CursorCodec.derived_from(app.state.tokens.secret))
    database.provide(PlaybackCache, app.state.playback_cache)
    database.provide(TrendingCache, TrendingCache(settings.search.trending_cache_seconds))
    database.provide(Broker, app.state.broker)
    database.provide(
        CatalogCounts,
        CatalogCounts(
            exact_up_to=settings.catalog.exact_count_up_to,
            ttl=settings.catalog.count_cache_seconds,
        ),
    )

    install_error_handlers(app)
    for router in DOMAIN_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ops_router)
    app.include_router(hls_router)  # /hls/{track_id}/..., outside /api/v1
    if settings.subsonic.enabled:
        app.include_router(subsonic_router)  # /rest/..., the OpenSubsonic API (docs/SUBSONIC.md)
        app.include_router(subsonic_access_router, prefix=API_PREFIX)
    serve_contract_responses(app, API_PREFIX)
    static_dir = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_STATIC_PATH, StaticFiles(directory=static_dir), name="docs-static")

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.server.cors_origins,
        allow_credentials=settings.server.cors_allow_credentials,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "X-Request-ID",
            "X-Verify-Token",
            "X-API-Key",
        ],
        expose_headers=["X-Request-ID", "Retry-After", "Content-Range", "Accept-Ranges"],
    )
    observer = RequestObserver(
        hsts=settings.server.hsts, docs_prefixes=(f"{API_PREFIX}/docs",), api_prefix=API_PREFIX
    )
    # Wraps everything below it: every response, errors included, gets its headers.
    app.add_middleware(
        RequestContextMiddleware,
        observer=observer,
        max_body_bytes=settings.server.max_body_bytes,
        max_upload_bytes=settings.server.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
        precedence=app.state.precedence,
    )
    # The hottest reads (the catalog, a track, a profile, a playlist, search) by the same
    # service calls as their routes, before the framework's layers (kit/readlane.py); a Bearer
    # token is checked there by the API's own check.
    app.add_middleware(
        ReadLane,
        state=app.state,
        observer=observer,
        routes=(*TRACK_LANE_ROUTES, *USER_LANE_ROUTES, *PLAYLIST_LANE_ROUTES, *SEARCH_LANE_ROUTES),
        authenticate=_lane_caller(app.state.tokens),
    )
    # Outermost: anonymous Range requests of cached public tracks are answered before any other
    # layer, with the same request id, headers, metrics and log line (playback/fastlane.py).
    app.add_middleware(PlaybackFastLane, state=app.state, observer=observer)
    return app
