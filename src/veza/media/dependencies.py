"""Dependencies of the media routes: the internal API key of the stream server's callback."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header

from veza.kit.dependencies import AppSettings
from veza.kit.errors import Unauthorized

INTERNAL_API_KEY_HEADER = "X-Internal-API-Key"


async def require_internal_api_key(
    settings: AppSettings,
    api_key: Annotated[
        str | None,
        Header(
            alias=INTERNAL_API_KEY_HEADER,
            description="The internal API key (VEZA_AUTH__INTERNAL_API_KEY)",
        ),
    ] = None,
) -> None:
    """Guard of /internal/*: the configured key, compared in constant time; 401 otherwise.
    An empty configured key disables the internal endpoints (every call is 401)."""
    expected = settings.auth.internal_api_key.get_secret_value()
    if not expected or not api_key:
        raise Unauthorized("Internal API key required", code="UNAUTHORIZED")
    if not hmac.compare_digest(api_key.encode(), expected.encode()):
        raise Unauthorized("Invalid internal API key", code="UNAUTHORIZED")


InternalCaller = Annotated[None, Depends(require_internal_api_key)]
