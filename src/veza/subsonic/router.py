"""The OpenSubsonic API: every method at /rest/{method} and /rest/{method}.view, GET or POST
(form bodies: the formPost extension); and the caller's own Subsonic access (password, API
keys) under /api/v1/subsonic. Outside the contract, so kept out of the served OpenAPI schema;
docs/SUBSONIC.md documents both."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from starlette.responses import Response

from veza import __version__
from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import DbSession
from veza.kit.encryption import SecretBox
from veza.kit.envelope import Envelope, ok
from veza.kit.lazy import LazyModule
from veza.kit.ratelimit import get_rate_limiter
from veza.playback.dependencies import get_playback_tools
from veza.playlists.dependencies import get_playlist_tools
from veza.queue.dependencies import tools_for
from veza.subsonic import schemas, service
from veza.subsonic.credentials import password_box
from veza.subsonic.params import Params

if TYPE_CHECKING:
    from veza.subsonic import dispatch, media
else:
    # The methods' modules (browsing, search, playlists, media, rendering: most of the
    # package) load with the first Subsonic call; most servers never get one.
    dispatch = LazyModule("veza.subsonic.dispatch")
    media = LazyModule("veza.subsonic.media")

router = APIRouter(include_in_schema=False)

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _params(request: Request) -> Params:
    values: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        values.setdefault(name, []).append(value)
    if request.method == "POST" and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        form = await request.form()
        for name, item in form.multi_items():
            if isinstance(item, str):
                values.setdefault(name, []).append(item)
    return Params(values)


def _box(request: Request) -> SecretBox:
    state = request.app.state
    key = state.settings.subsonic.encryption_key.get_secret_value()
    return password_box(key, state.tokens.secret)


async def _tools(request: Request) -> dispatch.SubsonicTools:
    state = request.app.state
    settings = state.settings
    return dispatch.SubsonicTools(
        db=state.db,
        box=_box(request),
        media=media.MediaTools(
            playback=await get_playback_tools(request),
            transcodes=settings.data_dir / "cache" / "subsonic-transcodes",
        ),
        max_list_size=settings.subsonic.max_list_size,
        server_version=__version__,
        playlists=await get_playlist_tools(request),
        queue=tools_for(request.app),
        limiter=get_rate_limiter(request.app),
        failures_per_account=settings.rate_limit.login_failures_per_account,
        failures_per_ip=settings.rate_limit.login_failures_per_ip,
    )


@router.api_route("/rest/{method}", methods=["GET", "HEAD", "POST"])
async def subsonic_method(method: str, request: Request) -> Response:
    call = dispatch.Call(
        method=method,
        params=await _params(request),
        headers={k.lower(): v for k, v in request.headers.items()},
        client_ip=request.client.host if request.client else None,
    )
    return await dispatch.handle(call, await _tools(request))


# The caller's own Subsonic access, mounted under /api/v1 (outside the contract too).
access_router = APIRouter(include_in_schema=False)


@access_router.get("/subsonic/access")
async def get_subsonic_access(
    session: DbSession, user: CurrentUser
) -> Envelope[schemas.SubsonicAccess]:
    return ok(await service.access_of(session, user))


@access_router.put("/subsonic/password")
async def put_subsonic_password(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    body: schemas.SetSubsonicPasswordRequest,
) -> Envelope[schemas.Message]:
    box = _box(request)
    return ok(await service.set_own_password(session, user, body, box=box))


@access_router.delete("/subsonic/password")
async def delete_subsonic_password(
    session: DbSession, user: CurrentUser
) -> Envelope[schemas.Message]:
    return ok(await service.revoke_own_password(session, user))


@access_router.post("/subsonic/api-keys", status_code=201)
async def post_subsonic_api_keys(
    session: DbSession, user: CurrentUser, body: schemas.CreateApiKeyRequest
) -> Envelope[schemas.NewApiKeyData]:
    return ok(await service.create_own_api_key(session, user, body))


@access_router.delete("/subsonic/api-keys/{id}")
async def delete_subsonic_api_keys_id(
    session: DbSession, user: CurrentUser, key_id: schemas.ApiKeyId
) -> Envelope[schemas.Message]:
    return ok(await service.delete_own_api_key(session, user, key_id))
