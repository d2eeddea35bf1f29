"""Who is calling: the Bearer access token turned into a User (the API's routes) or a Caller
(the read lane's member reads: one row), required or optional.

An access token is accepted when its signature, expiry, issuer and kind are right, the login
session it names (sid claim) has not been revoked (logout, refresh-token reuse, password
reset, another session's 2FA change), and its token_version matches the user's (bumped by
password reset, deletion and an administrator's ban).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, NamedTuple, Protocol, TypeVar

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from veza.auth import repository
from veza.auth.context import AuthContext
from veza.kit.db import Reads
from veza.kit.dependencies import DbSession
from veza.kit.errors import Forbidden, Unauthorized
from veza.kit.mail import get_mailer
from veza.kit.ratelimit import get_rate_limiter
from veza.kit.tokens import ACCESS_TOKEN_TYPE, TokenCodec
from veza.models import User
from veza.models.user import is_administrator

# auto_error=False: a missing header is our own 401 in the contract's envelope.
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <access JWT>")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
_MAX_USER_AGENT = 512


def get_token_codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.tokens
    return codec


class _Claimed(NamedTuple):
    claims: dict[str, object]
    user_id: uuid.UUID
    session_id: uuid.UUID


def _claim_uuid(claims: dict[str, object], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(claims[name]))
    except (KeyError, ValueError) as exc:
        raise Unauthorized("Invalid token", code="INVALID_TOKEN") from exc


@dataclass(frozen=True)
class Authenticated:
    user: User
    session_id: uuid.UUID
    claims: dict[str, object]


@dataclass(frozen=True, slots=True)
class Caller:
    """The caller of a checked access token as the read lane's member reads take it (a
    ``Viewer``): read as one row, where the API's routes get the User."""

    id: uuid.UUID
    is_administrator: bool


class _Account(Protocol):
    """What the token check reads of the account: a User, or a row of its columns."""

    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_banned(self) -> bool: ...
    @property
    def token_version(self) -> int: ...


class _Login(Protocol):
    """What the token check reads of the login session: an AuthSession, or a row's columns."""

    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def expires_at(self) -> datetime: ...


_Checked = TypeVar("_Checked", bound=_Account)


def _claims(codec: TokenCodec, token: str, typ: str, audience: str | None) -> _Claimed:
    claims = codec.decode(token, typ=typ, audience=audience)
    return _Claimed(claims, _claim_uuid(claims, "sub"), _claim_uuid(claims, "sid"))


def _live(claims: dict[str, object], user: _Checked | None, login: _Login | None) -> _Checked:
    """The account, if the token naming it and ``login`` (its session, when it is theirs) are
    still good; a 401 otherwise."""
    if user is None or user.deleted_at is not None or not user.is_active or user.is_banned:
        raise Unauthorized("Invalid token", code="INVALID_TOKEN")
    if login is None or login.revoked_at is not None or login.expires_at <= datetime.now(UTC):
        raise Unauthorized("Session has ended", code="SESSION_REVOKED")
    # A bumped token_version makes every token issued before it outdated. The session is still
    # open (checked above), so a refresh gets a token of the current version: the answer says
    # "expired", which every client already meets with a refresh.
    if claims.get("token_version") != user.token_version:
        raise Unauthorized("Token is outdated; refresh it", code="TOKEN_EXPIRED")
    return user


async def authenticate_token(
    session: AsyncSession,
    codec: TokenCodec,
    token: str,
    *,
    typ: str = ACCESS_TOKEN_TYPE,
    audience: str | None = None,
) -> Authenticated:
    """Check a signed token of kind ``typ`` and the account and login session it names.

    Used for access tokens here, and for stream tokens by the HLS endpoints, so a logout, a
    password reset or a ban ends both kinds at once.
    """
    claimed = _claims(codec, token, typ, audience)
    auth_session, user = await repository.session_with_user(
        session, claimed.session_id, claimed.user_id
    )
    live = _live(claimed.claims, user, auth_session)
    return Authenticated(user=live, session_id=claimed.session_id, claims=claimed.claims)


async def authenticate_caller(reads: Reads, codec: TokenCodec, token: str) -> Caller:
    """``authenticate_token`` of an access token, the caller read as one row of the columns
    the check reads (the read lane's, on its bare connection: none of its reads needs the
    User)."""
    claimed = _claims(codec, token, ACCESS_TOKEN_TYPE, None)
    row = await repository.caller_row(reads, claimed.session_id, claimed.user_id)
    login = row if row is not None and row.session_id is not None else None
    live = _live(claimed.claims, row, login)
    return Caller(live.id, is_administrator(live.is_admin, live.role))


async def _user_from_token(request: Request, session: DbSession, token: str) -> User:
    caller = await authenticate_token(session, get_token_codec(request), token)
    # request.state is the scope's "state": the access log reads user_id from there.
    request.state.user_id = caller.user.id
    request.state.session_id = caller.session_id
    request.state.token_claims = caller.claims
    return caller.user


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
    if not user.is_administrator:
        raise Forbidden("Administrator rights required")
    return user


async def get_current_session_id(
    request: Request, _: Annotated[User, Depends(get_current_user)]
) -> uuid.UUID:
    """The login session of the caller's access token."""
    session_id: uuid.UUID = request.state.session_id
    return session_id


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentAdmin = Annotated[User, Depends(get_current_admin)]
CurrentSessionId = Annotated[uuid.UUID, Depends(get_current_session_id)]


async def get_auth_context(
    request: Request, session: DbSession, background: BackgroundTasks
) -> AuthContext:
    user_agent = request.headers.get("user-agent")
    return AuthContext(
        session=session,
        settings=request.app.state.settings,
        tokens=get_token_codec(request),
        mailer=get_mailer(request.app),
        limiter=get_rate_limiter(request.app),
        ip_address=request.client.host if request.client else None,
        user_agent=user_agent[:_MAX_USER_AGENT] if user_agent else None,
        database=request.app.state.db,
        run_after_response=background.add_task,
    )


async def get_refresh_cookie(request: Request) -> str | None:
    """The refresh token from its httpOnly cookie, when the browser sent it."""
    name: str = request.app.state.settings.auth.refresh_cookie_name
    return request.cookies.get(name) or None


AuthCtx = Annotated[AuthContext, Depends(get_auth_context)]
RefreshCookie = Annotated[str | None, Depends(get_refresh_cookie)]
