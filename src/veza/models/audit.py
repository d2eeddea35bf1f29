"""The audit trail: one row per security-relevant event, written by the domains, read by audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, UUIDPrimaryKey, utcnow


class AuditLog(UUIDPrimaryKey, Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_user_id_created_at", "user_id", "created_at"),
        Index("ix_audit_logs_resource_resource_id", "resource", "resource_id"),
    )

    # Null for events without a known account (e.g. a failed login for an unknown email).
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    resource: Mapped[str | None] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The hash chain (audit/chain.py): rows are sealed in order, each row's hash covering its
    # content and the previous row's hash. Null until the sealing step has chained the row.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """The end of the hash chain, one row: the sealing step locks it, so sealers take turns and
    the chain never forks; it outlives the rows the retention sweep deletes."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The oldest row kept: the retention sweep moves it; rows before it are gone on purpose.
    first_seq: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
    last_hash: Mapped[str] = mapped_column(String(64))
