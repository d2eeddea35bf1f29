"""HTTP routes of the platform domain: contract operations and the operational endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from veza.config import get_webrtc_settings
from veza.kit.db import Database
from veza.kit.envelope import Envelope, error_body, ok
from veza.kit.metrics import render_latest
from veza.platform import pages, schemas, service

router = APIRouter()
ops_router = APIRouter(include_in_schema=False)
ops_router.include_router(pages.router)  # /account/verify-email, /account/reset-password

DOCS_STATIC_PATH = "/api/v1/docs/static"


@router.post("/logs/frontend", tags=["Logging"], summary="Receive frontend log")
async def post_logs_frontend(
    request: Request,
    body: Annotated[schemas.FrontendLogRequest, Body(description="Frontend log entry")],
) -> Envelope[schemas.FrontendLogReceived]:
    service.record_frontend_log(body, request.client.host if request.client else None)
    return ok(schemas.FrontendLogReceived())


@router.get(
    "/config/webrtc",
    tags=["Config"],
    summary="WebRTC ICE configuration",
    response_model_exclude_none=True,
)
async def get_config_webrtc() -> schemas.WebRTCConfigResponse:
    return service.webrtc_config(get_webrtc_settings())


@router.post("/validate", tags=["Validation"], summary="Validate request body")
async def post_validate(
    body: Annotated[
        schemas.ValidateRequest, Body(description="Validation request with type and data")
    ],
) -> schemas.ValidateResponse:
    return service.validate_dto(body)


@ops_router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers. Says nothing about its dependencies."""
    return {"status": "ok"}


@ops_router.get("/ready")
async def ready(request: Request) -> JSONResponse:
    """Readiness: the database (and Redis, when configured) answer; 503 in the envelope if not."""
    database: Database = request.app.state.db
    checks = {"database": "ok"}
    try:
        await database.ping()
    except Exception:
        body = error_body("SERVICE_UNAVAILABLE", "Database is not reachable")
        return JSONResponse(status_code=503, content=body)
    if request.app.state.settings.redis_url:
        try:
            await service.ping_redis(request.app.state)
        except Exception:
            body = error_body("SERVICE_UNAVAILABLE", "Redis is not reachable")
            return JSONResponse(status_code=503, content=body)
        checks["redis"] = "ok"
    return JSONResponse({"status": "ready", "checks": checks})


@ops_router.get("/metrics")
async def prometheus_metrics(request: Request) -> Response:
    service.check_metrics_access(
        request.app.state.settings.server,
        request.client.host if request.client else None,
        request.headers.get("authorization"),
    )
    payload, content_type = render_latest()
    return Response(content=payload, media_type=content_type)


@ops_router.get("/api/v1/docs")
async def api_docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/api/v1/openapi.json",
        title="Veza API",
        swagger_js_url=f"{DOCS_STATIC_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_STATIC_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_STATIC_PATH}/favicon.png",
    )
