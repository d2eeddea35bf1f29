"""The self-hoster's library: what `veza import` knew of each imported file (its content hash,
so a rerun skips it, and the album tags a track row has no column for), and the separate
credentials Subsonic clients authenticate with."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, UUIDPrimaryKey, utcnow


class LibraryEntry(Base):
    """One imported file: the track it became and the tags that make albums browsable."""

    __tablename__ = "library_entries"
    __table_args__ = (UniqueConstraint("user_id", "content_sha256"),)

    track_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(String(1024))  # relative to the imported folder
    album_artist: Mapped[str | None] = mapped_column(String(255))
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    compilation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubsonicCredential(Base):
    """The password a user chose for Subsonic clients alone, sealed (kit/encryption.py): the
    token+salt scheme needs the server to compute md5(password + salt), so it cannot be a hash.
    Never the account password."""

    __tablename__ = "subsonic_credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_password: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubsonicApiKey(UUIDPrimaryKey, Base):
    """An OpenSubsonic API key (the apiKey extension), kept as its SHA-256 digest."""

    __tablename__ = "subsonic_api_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
