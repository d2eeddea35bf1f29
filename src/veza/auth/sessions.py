"""Login sessions and their tokens: opening a session, its access tokens, and its refresh
tokens, each one's successor derived from it (see ``successor_of``). The rules that use them
(refresh, logout) are in service.py, login in login.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from veza.auth.context import AuthContext
from veza.auth.schemas import TokenResponse
from veza.kit.encryption import derive_key
from veza.kit.errors import Unauthorized
from veza.kit.opaque_tokens import digest, new_opaque_token
from veza.kit.tokens import ACCESS_TOKEN_TYPE
from veza.models import AuthSession, RefreshToken, User, utcnow


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    access_ttl: int
    # Lifetime of the refresh cookie; None makes it a browser-session cookie (no remember_me).
    cookie_max_age: int | None

    def response(self) -> TokenResponse:
        return TokenResponse(
            access_token=self.access_token,
            expires_in=self.access_ttl,
            refresh_token=self.refresh_token,
        )


def access_token(
    ctx: AuthContext, user_id: uuid.UUID, token_version: int, session_id: uuid.UUID
) -> str:
    """An access token of the login session ``session_id`` (its sid claim)."""
    return ctx.tokens.encode(
        subject=str(user_id),
        typ=ACCESS_TOKEN_TYPE,
        ttl_seconds=ctx.settings.auth.access_token_ttl_seconds,
        claims={"token_version": token_version, "sid": str(session_id)},
    )


def refresh_ttl(ctx: AuthContext, remember_me: bool) -> int:
    auth = ctx.settings.auth
    return (
        auth.refresh_token_remember_ttl_seconds if remember_me else auth.refresh_token_ttl_seconds
    )


def successor_of(ctx: AuthContext, presented: str) -> str:
    """The refresh token that replaces ``presented``: HMAC-SHA256 of it under a key derived
    from the server's secret, so the same successor can be handed out again during the grace
    window although only digests are stored. Without the key nobody can compute it, and a
    database copy holds no token."""
    key = derive_key(ctx.tokens.secret, "veza/refresh-successor/v1")
    mac = hmac.new(key, presented.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def new_refresh_token(
    ctx: AuthContext,
    user: User,
    auth_session: AuthSession,
    now: datetime,
    token: str | None = None,
) -> str:
    """Store a refresh token of the session: ``token`` (a successor) or a random one."""
    token = token or new_opaque_token()
    ctx.session.add(
        RefreshToken(
            user_id=user.id,
            family_id=auth_session.id,
            token_hash=digest(token),
            created_at=now,
            expires_at=auth_session.expires_at,
        )
    )
    return token


def open_session(ctx: AuthContext, user: User, remember_me: bool) -> IssuedTokens:
    """A new login session of ``user`` with its first refresh token (random)."""
    now = utcnow()
    auth_session = AuthSession(
        id=uuid.uuid4(),
        user_id=user.id,
        remember_me=remember_me,
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(seconds=refresh_ttl(ctx, remember_me)),
    )
    ctx.session.add(auth_session)
    return issued(ctx, user, auth_session, new_refresh_token(ctx, user, auth_session, now))


def invalid_refresh() -> Unauthorized:
    return Unauthorized("Invalid or expired refresh token", code="INVALID_REFRESH_TOKEN")


async def live_session(ctx: AuthContext, token: RefreshToken) -> tuple[AuthSession, User]:
    """The open session and the usable account ``token`` belongs to; 401 otherwise."""
    auth_session = await ctx.session.get(AuthSession, token.family_id)
    user = await ctx.session.get(User, token.user_id)
    if (
        auth_session is None
        or auth_session.revoked_at is not None
        or user is None
        or user.deleted_at is not None
        or not user.is_active
        or user.is_banned
    ):
        raise invalid_refresh()
    return auth_session, user


def issued(ctx: AuthContext, user: User, auth_session: AuthSession, refresh: str) -> IssuedTokens:
    """An access token of the session and the refresh token ``refresh``."""
    return issued_for(
        ctx, user.id, user.token_version, auth_session.id, auth_session.remember_me, refresh
    )


def issued_for(
    ctx: AuthContext,
    user_id: uuid.UUID,
    token_version: int,
    session_id: uuid.UUID,
    remember_me: bool,
    refresh: str,
) -> IssuedTokens:
    """``issued`` from the ids (a login written as rows, with no ORM objects)."""
    ttl = refresh_ttl(ctx, remember_me)
    return IssuedTokens(
        access_token=access_token(ctx, user_id, token_version, session_id),
        refresh_token=refresh,
        access_ttl=ctx.settings.auth.access_token_ttl_seconds,
        cookie_max_age=ttl if remember_me else None,
    )
