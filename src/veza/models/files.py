"""The file outbox: storage keys to remove once the change that orphaned them has committed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, UUIDPrimaryKey, utcnow


class StorageDeletion(UUIDPrimaryKey, Base):
    """Files to remove once the transaction that orphaned them has committed (an outbox).

    A row is written in the same transaction as the deletion of what referenced the files, and
    a job removes the files and then the row, so files never disappear for a rolled-back change.
    """

    __tablename__ = "storage_deletions"

    # A storage key, or a prefix (every key under "<prefix>/") when is_prefix.
    key: Mapped[str] = mapped_column(String(1024))
    is_prefix: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StorageHold(UUIDPrimaryKey, Base):
    """Files that must outlive what referenced them (a sold track's audio stays for its
    buyers): the sweep drops an outbox row whose key is, lies under or contains a held key,
    without removing anything."""

    __tablename__ = "storage_holds"

    key: Mapped[str] = mapped_column(String(1024), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
