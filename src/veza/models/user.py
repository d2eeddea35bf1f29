"""Accounts: the user row that authentication, profiles and every owned resource refer to."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, Timestamps, UUIDPrimaryKey


def is_administrator(is_admin: bool, role: str) -> bool:
    """The one rule for "administrator": the admin flag or the admin role. Administrators
    see and manage every user's content."""
    return is_admin or role == "admin"


class Viewer(Protocol):
    """Who a read is for, as the access rules read them: a User, or the read lane's caller
    (``auth.dependencies.Caller``, the columns of one row)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def is_administrator(self) -> bool: ...


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Email and username are unique regardless of case.
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
        Index("uq_users_username_lower", text("lower(username)"), unique=True),
    )

    email: Mapped[str] = mapped_column(String(254))
    username: Mapped[str] = mapped_column(String(50))
    slug: Mapped[str | None] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="user", server_default="user")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_banned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    avatar: Mapped[str | None] = mapped_column(String(2048))
    banner_url: Mapped[str | None] = mapped_column(String(2048))
    bio: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(30))
    birthdate: Mapped[date | None] = mapped_column(Date)
    social_links: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Genres the user declared, used by declarative suggestions (never behavioural scoring).
    genres: Mapped[list[str] | None] = mapped_column(JSON)
    # Bumped to end every session at once (password reset, 2FA change, account deletion).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    login_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column()
    email_verified_at: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()
    username_changed_at: Mapped[datetime | None] = mapped_column()
    promoted_to_creator_at: Mapped[datetime | None] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()
    # TOTP (RFC 6238). The pending secret is the one setup issued, until a code confirms it.
    two_factor_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    two_factor_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_pending_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column()
    # Time step of the last TOTP code accepted: a code is never accepted twice.
    two_factor_last_step: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_administrator(self) -> bool:
        return is_administrator(self.is_admin, self.role)
