"""Queries of the auth domain: users by login, sessions, refresh tokens, one-time tokens, 2FA."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from veza.kit.db import Reads, connection_of
from veza.models import (
    AuthSession,
    OneTimeToken,
    PrivacyPreference,
    RefreshToken,
    TwoFactorRecoveryCode,
    User,
)

# --- users ----------------------------------------------------------------------------------


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    """The live account with this email, whatever its case."""
    statement = select(User).where(
        func.lower(User.email) == email.strip().lower(), User.deleted_at.is_(None)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def email_exists(session: AsyncSession, email: str) -> bool:
    statement = select(User.id).where(func.lower(User.email) == email.lower()).limit(1)
    return (await session.execute(statement)).first() is not None


async def username_exists(session: AsyncSession, username: str) -> bool:
    statement = select(User.id).where(func.lower(User.username) == username.lower()).limit(1)
    return (await session.execute(statement)).first() is not None


async def bump_token_version(session: AsyncSession, user: User) -> None:
    """Atomically invalidate every access token issued to ``user`` so far."""
    statement = (
        update(User)
        .where(User.id == user.id)
        .values(token_version=User.token_version + 1)
        .returning(User.token_version)
        .execution_options(synchronize_session=False)
    )
    version = (await session.execute(statement)).scalar_one()
    set_committed_value(user, "token_version", version)


async def record_login(session: AsyncSession, user: User, now: datetime) -> None:
    statement = (
        update(User)
        .where(User.id == user.id)
        .values(login_count=User.login_count + 1, last_login_at=now)
        .returning(User.login_count)
        .execution_options(synchronize_session=False)
    )
    count = (await session.execute(statement)).scalar_one()
    set_committed_value(user, "login_count", count)
    set_committed_value(user, "last_login_at", now)


async def advance_totp_step(session: AsyncSession, user: User, step: int) -> bool:
    """Record ``step`` as the last TOTP code used, unless it (or a later one) already was.

    Atomic, so two concurrent requests cannot both spend the same code.
    """
    statement = (
        update(User)
        .where(
            User.id == user.id,
            or_(User.two_factor_last_step.is_(None), User.two_factor_last_step < step),
        )
        .values(two_factor_last_step=step)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(statement)).first() is None:
        return False
    set_committed_value(user, "two_factor_last_step", step)
    return True


# --- sessions and refresh tokens ------------------------------------------------------------


# Built once: every authenticated request runs one of them, and a statement built per call has
# its cache key computed again each time before SQLAlchemy finds the compiled form.
_NAMED_USER = User.id == bindparam("user_id")
# The login session named by the token, if it is that user's.
_ITS_SESSION = and_(AuthSession.id == bindparam("session_id"), AuthSession.user_id == User.id)
_SESSION_WITH_USER = (
    select(User, AuthSession).outerjoin(AuthSession, _ITS_SESSION).where(_NAMED_USER)
)
# What the token check reads of both, and who the caller is (the read lane's caller): named as
# the attributes of a User and an AuthSession, the session's id labelled apart.
_CALLER_ROW: Any = (
    select(
        User.id,
        User.is_admin,
        User.role,
        User.is_active,
        User.is_banned,
        User.deleted_at,
        User.token_version,
        AuthSession.id.label("session_id"),
        AuthSession.revoked_at,
        AuthSession.expires_at,
    )
    .outerjoin(AuthSession, _ITS_SESSION)
    .where(_NAMED_USER)
)


async def session_with_user(
    session: AsyncSession, session_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[AuthSession | None, User | None]:
    """The user named by an access token, and the login session the token belongs to (if it is
    that user's): one statement, as every authenticated request makes it."""
    row = (
        await session.execute(_SESSION_WITH_USER, {"session_id": session_id, "user_id": user_id})
    ).first()
    if row is None:
        return None, None
    return row[1], row[0]


async def caller_row(reads: Reads, session_id: uuid.UUID, user_id: uuid.UUID) -> Row[Any] | None:
    """``session_with_user`` as one row of the columns the token check reads (None: no such
    user; the session's columns None: no such session of theirs)."""
    # Through the connection: a row of table columns needs none of the ORM's result handling,
    # nor its objects.
    connection = await connection_of(reads)
    parameters = {"session_id": session_id, "user_id": user_id}
    return (await connection.execute(_CALLER_ROW, parameters)).first()


async def consume_refresh_token(
    session: AsyncSession, token_hash: str, now: datetime
) -> RefreshToken | None:
    """Mark a live refresh token used, atomically: of two concurrent callers, one gets it."""
    statement = (
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken.id)
        .execution_options(synchronize_session=False)
    )
    token_id = (await session.execute(statement)).scalar_one_or_none()
    if token_id is None:
        return None
    token = await session.get(RefreshToken, token_id, populate_existing=True)
    return token


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(statement)).scalar_one_or_none()


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> None:
    """End one login session: its refresh tokens and the access tokens naming it."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == family_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def revoke_user_sessions(
    session: AsyncSession,
    user_id: uuid.UUID,
    now: datetime,
    *,
    keep: uuid.UUID | None = None,
) -> None:
    """End every session of a user, except ``keep`` (the caller's own) when given."""
    sessions_filter = [AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)]
    tokens_filter = [RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)]
    if keep is not None:
        sessions_filter.append(AuthSession.id != keep)
        tokens_filter.append(RefreshToken.family_id != keep)
    await session.execute(
        update(RefreshToken)
        .where(*tokens_filter)
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(AuthSession)
        .where(*sessions_filter)
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


# --- one-time tokens ------------------------------------------------------------------------


async def consume_one_time_token(
    session: AsyncSession, token_hash: str, purpose: str, now: datetime
) -> uuid.UUID | None:
    """Use a mailed token once, atomically; the user it was issued to, or None."""
    statement = (
        update(OneTimeToken)
        .where(
            OneTimeToken.token_hash == token_hash,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(OneTimeToken.user_id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def live_one_time_token_user(
    session: AsyncSession, token_hash: str, purpose: str, now: datetime
) -> uuid.UUID | None:
    """The user a mailed token of ``purpose`` was issued to, while it is usable (not spent)."""
    statement = select(OneTimeToken.user_id).where(
        OneTimeToken.token_hash == token_hash,
        OneTimeToken.purpose == purpose,
        OneTimeToken.used_at.is_(None),
        OneTimeToken.expires_at > now,
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def retire_one_time_tokens(
    session: AsyncSession, user_id: uuid.UUID, purpose: str, now: datetime
) -> None:
    """Make the user's pending tokens of this purpose unusable (a newer one was issued)."""
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


async def delete_one_time_tokens(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(OneTimeToken).where(OneTimeToken.user_id == user_id))


# --- 2FA recovery codes ---------------------------------------------------------------------


async def replace_recovery_codes(
    session: AsyncSession, user_id: uuid.UUID, code_hashes: list[str]
) -> None:
    await delete_recovery_codes(session, user_id)
    session.add_all(TwoFactorRecoveryCode(user_id=user_id, code_hash=h) for h in code_hashes)


async def delete_recovery_codes(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        delete(TwoFactorRecoveryCode).where(TwoFactorRecoveryCode.user_id == user_id)
    )


async def consume_recovery_code(
    session: AsyncSession, user_id: uuid.UUID, code_hash: str, now: datetime
) -> bool:
    statement = (
        update(TwoFactorRecoveryCode)
        .where(
            TwoFactorRecoveryCode.user_id == user_id,
            TwoFactorRecoveryCode.code_hash == code_hash,
            TwoFactorRecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(TwoFactorRecoveryCode.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None


# --- privacy --------------------------------------------------------------------------------


async def privacy_preference(session: AsyncSession, user_id: uuid.UUID) -> PrivacyPreference:
    """The user's preferences row, created (with defaults) when it does not exist yet."""
    preference = await session.get(PrivacyPreference, user_id)
    if preference is None:
        preference = PrivacyPreference(user_id=user_id, do_not_sell=False)
        session.add(preference)
    return preference


async def delete_privacy_preference(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(PrivacyPreference).where(PrivacyPreference.user_id == user_id))
