"""Accounts: sessions, rotating refresh tokens, one-time tokens, 2FA recovery codes, privacy.

Every secret kept here (refresh tokens, one-time tokens, recovery codes) is stored as its
SHA-256 digest: a leaked table gives nothing that can be presented back to the API.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, UUIDPrimaryKey, utcnow

# Purposes of a one-time token: a token issued for one is refused for the other.
VERIFY_EMAIL_PURPOSE = "verify_email"
PASSWORD_RESET_PURPOSE = "password_reset"


class AuthSession(UUIDPrimaryKey, Base):
    """One login on one device. Access tokens name it (sid claim); revoking it ends them.

    A session is also its refresh tokens' family: every rotation stays in the same session,
    and reuse of a rotated token revokes the session with all its tokens.
    """

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    remember_me: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class RefreshToken(UUIDPrimaryKey, Base):
    """An opaque refresh token (hashed), single use: each refresh rotates it."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    # Set when the token was exchanged for a new one; presenting it again is reuse.
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class OneTimeToken(UUIDPrimaryKey, Base):
    """A mailed, single-use token: email verification or password reset (hashed)."""

    __tablename__ = "one_time_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class TwoFactorRecoveryCode(UUIDPrimaryKey, Base):
    """One of the single-use codes that stand in for a TOTP code (hashed)."""

    __tablename__ = "two_factor_recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


class PrivacyPreference(Base):
    """A user's privacy choices; today the CCPA "Do Not Sell or Share" opt-out."""

    __tablename__ = "privacy_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    do_not_sell: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    do_not_sell_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
