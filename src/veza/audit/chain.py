"""The tamper-evident chain over the audit rows.

Each sealed row carries ``seq`` (1, 2, 3... with no gap), ``prev_hash`` (the previous row's
hash) and ``hash`` = SHA-256 of ``prev_hash`` and the row's content in a canonical JSON form.
Changing a sealed row breaks its own hash; deleting one breaks the numbering and the next
link; deleting the newest ones disagrees with the chain head.

Sealing is one serialized step, not part of each writer's transaction: writers only insert
rows (no lock, no contention, nothing to fork), and ``seal_pending`` links the rows not yet
chained, in (created_at, id) order, while holding the chain head (``audit_chain_head``, one
row: ``SELECT ... FOR UPDATE`` on PostgreSQL, the database's single write lock on SQLite),
so two sealers take turns and each continues from where the other stopped. It runs
periodically (``VEZA_AUDIT__SEAL_INTERVAL_SECONDS``) and before ``veza audit verify``; a row
is therefore unsealed for at most one interval.

The retention sweep deletes from the oldest end of the chain only, so what remains is a
suffix whose first ``prev_hash`` is the anchor the verification starts from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Database, write_transaction
from veza.kit.queries import insert_ignoring_duplicates, rowcount
from veza.models import AuditChainHead, AuditLog

GENESIS = "0" * 64
HEAD_ID = 1
SEAL_BATCH = 500
VERIFY_BATCH = 1000


def row_hash(row: AuditLog, seq: int, prev_hash: str) -> str:
    created = row.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    content = {
        "seq": seq,
        "prev_hash": prev_hash,
        "id": str(row.id),
        "user_id": str(row.user_id) if row.user_id else None,
        "action": row.action,
        "resource": row.resource,
        "resource_id": row.resource_id,
        "ip_address": row.ip_address,
        "user_agent": row.user_agent,
        "details": row.details,
        "created_at": created,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def _locked_head(session: AsyncSession) -> AuditChainHead:
    """The chain head, held until the transaction ends (made from the last sealed row, or
    the genesis, the first time)."""
    last = (
        await session.execute(
            select(AuditLog.seq, AuditLog.hash)
            .where(AuditLog.seq.is_not(None))
            .order_by(AuditLog.seq.desc())
            .limit(1)
        )
    ).first()
    await session.execute(
        insert_ignoring_duplicates(
            session,
            AuditChainHead,
            id=HEAD_ID,
            last_seq=last[0] if last else 0,
            last_hash=last[1] if last and last[1] else GENESIS,
        )
    )
    head = await session.scalar(
        select(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert head is not None
    return head


async def seal_batch(session: AsyncSession, limit: int = SEAL_BATCH) -> int:
    """Chain up to ``limit`` unsealed rows in this transaction; how many were sealed."""
    head = await _locked_head(session)
    rows = list(
        await session.scalars(
            select(AuditLog)
            .where(AuditLog.seq.is_(None))
            .order_by(AuditLog.created_at, AuditLog.id)
            .limit(limit)
        )
    )
    seq, prev = head.last_seq, head.last_hash
    for row in rows:
        seq += 1
        digest = row_hash(row, seq, prev)
        await session.execute(
            update(AuditLog)
            .where(AuditLog.id == row.id, AuditLog.seq.is_(None))
            .values(seq=seq, prev_hash=prev, hash=digest)
        )
        prev = digest
    if rows:
        await session.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == HEAD_ID)
            .values(last_seq=seq, last_hash=prev)
        )
    return len(rows)


async def seal_pending(database: Database) -> int:
    """Seal every row not chained yet, a batch per transaction."""
    total = 0
    while True:
        async with write_transaction(database) as session:
            sealed = await seal_batch(session)
        total += sealed
        if sealed < SEAL_BATCH:
            return total


@dataclass
class Verification:
    checked: int
    unsealed: int
    first_seq: int | None
    last_seq: int | None
    broken_seq: int | None = None
    broken_id: str | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.reason is None


async def verify(session: AsyncSession) -> Verification:
    """Walk the chain in order; the first link that does not hold is reported."""
    unsealed = int(await session.scalar(select(func.count()).where(AuditLog.seq.is_(None))) or 0)
    report = Verification(checked=0, unsealed=unsealed, first_seq=None, last_seq=None)
    head = await session.get(AuditChainHead, HEAD_ID)
    kept_from = head.first_seq if head is not None else 1
    expected_seq: int | None = None
    prev: str | None = None
    after = 0
    while True:
        rows = list(
            await session.scalars(
                select(AuditLog)
                .where(AuditLog.seq > after)
                .order_by(AuditLog.seq)
                .limit(VERIFY_BATCH)
            )
        )
        if not rows:
            break
        for row in rows:
            assert row.seq is not None
            if report.first_seq is None:
                report.first_seq = row.seq
                # The first row kept is the anchor; rows before it were swept, not removed.
                expected_seq = kept_from
                prev = GENESIS if row.seq == 1 else row.prev_hash
            problem = _link_problem(row, expected_seq, prev)
            if problem is not None:
                report.broken_seq, report.broken_id, report.reason = row.seq, str(row.id), problem
                return report
            report.checked += 1
            report.last_seq = row.seq
            expected_seq, prev = row.seq + 1, row.hash
        after = rows[-1].seq or after
    if head is not None and report.last_seq is not None and head.last_seq != report.last_seq:
        report.broken_seq = report.last_seq
        report.reason = f"chain head is at {head.last_seq}: rows after {report.last_seq} are gone"
    elif head is not None and prev is not None and head.last_hash != prev:
        report.broken_seq = report.last_seq
        report.reason = "chain head's hash differs from the last row's"
    return report


def _link_problem(row: AuditLog, expected_seq: int | None, prev: str | None) -> str | None:
    assert row.seq is not None
    if expected_seq is not None and row.seq != expected_seq:
        return f"row {expected_seq} is missing (next is {row.seq})"
    if row.prev_hash != prev:
        return "prev_hash does not match the previous row's hash"
    if row.hash != row_hash(row, row.seq, row.prev_hash or ""):
        return "row content does not match its hash (altered)"
    return None


async def sweep(session: AsyncSession, before: datetime) -> int:
    """Delete rows older than ``before``, from the chain's oldest end only (see above)."""
    cutoff = await session.scalar(
        select(func.max(AuditLog.seq)).where(AuditLog.created_at < before)
    )
    if cutoff is None:
        return 0
    await _locked_head(session)
    removed = rowcount(await session.execute(delete(AuditLog).where(AuditLog.seq <= cutoff)))
    await session.execute(
        update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(first_seq=cutoff + 1)
    )
    return removed
