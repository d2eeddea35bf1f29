"""Who is calling: the Bearer access token turned into a User, required or optional."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from veza.kit.db import DbSession
from veza.kit.errors import Forbidden, Unauthorized
from veza.kit.tokens import ACCESS_TOKEN_TYPE, TokenCodec
from veza.models import User

# auto_error=False: a missing header is our own 401 in the contract's envelope.
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <access JWT>")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_token_codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.tokens
    return codec


async def _user_from_token(request: Request, session: DbSession, token: str) -> User:
    claims = get_token_codec(request).decode(token, typ=ACCESS_TOKEN_TYPE)
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError as exc:
        raise Unauthorized("Invalid token", code="INVALID_TOKEN") from exc
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None or not user.is_active:
        raise Unauthorized("Invalid token", code="INVALID_TOKEN")
    # A bumped token_version (password reset, 2FA change, deletion) ends every session at once.
    if claims.get("token_version") != user.token_version:
        raise Unauthorized("Session has ended", code="SESSION_REVOKED")
    request.state.user_id = user.id
    request.state.token_claims = claims
    request.scope.setdefault("state", {})["user_id"] = str(user.id)
    return user


async def get_current_user(
    request: Request, session: DbSession, credentials: BearerCredentials
) -> User:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Authentication required")
    return await _user_from_token(request, session, credentials.credentials)


async def get_optional_user(
    request: Request, session: DbSession, credentials: BearerCredentials
) -> User | None:
    """The caller if a valid token is present; anonymous otherwise (a bad token is still 401)."""
    if credentials is None or not credentials.credentials:
        return None
    return await _user_from_token(request, session, credentials.credentials)


async def get_current_admin(user: Annotated[User, Depends(get_current_user)]) -> User:
    if not (user.is_admin or user.role == "admin"):
        raise Forbidden("Administrator rights required")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentAdmin = Annotated[User, Depends(get_current_admin)]
