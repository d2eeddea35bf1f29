"""Factories: rows created straight in the database, and tokens for them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from veza.kit.tokens import ACCESS_TOKEN_TYPE
from veza.models import AuthSession, User

_counter = itertools.count(1)
# A precomputed argon2id hash keeps factories fast; the plain text is PASSWORD.
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH: str | None = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from veza.kit.passwords import hash_password_sync

        _PASSWORD_HASH = hash_password_sync(PASSWORD)
    return _PASSWORD_HASH


async def create_user(app: FastAPI, **overrides: Any) -> User:
    n = next(_counter)
    values: dict[str, Any] = {
        "email": f"user{n}@example.com",
        "username": f"user{n}",
        "password_hash": _password_hash(),
        "is_verified": True,
        "email_verified_at": datetime.now(UTC),
    }
    values.update(overrides)
    user = User(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(user)
    return user


async def create_auth_session(app: FastAPI, user: User) -> AuthSession:
    """A live login session of ``user`` (what login opens), without a refresh token."""
    now = datetime.now(UTC)
    auth_session = AuthSession(user_id=user.id, created_at=now, expires_at=now + timedelta(days=1))
    async with app.state.db.writer() as session, session.begin():
        session.add(auth_session)
    return auth_session


async def access_token(app: FastAPI, user: User, **claims: Any) -> str:
    """A valid access token for ``user``, as login would issue it: it names a real session."""
    auth_session = await create_auth_session(app, user)
    token: str = app.state.tokens.encode(
        subject=str(user.id),
        typ=ACCESS_TOKEN_TYPE,
        ttl_seconds=900,
        claims={"token_version": user.token_version, "sid": str(auth_session.id), **claims},
    )
    return token


async def auth_headers(app: FastAPI, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {await access_token(app, user)}"}
