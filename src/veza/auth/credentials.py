"""Password hashing and checking with no database transaction open.

argon2id takes tens of milliseconds by design. On SQLite a writing request holds the one write
lock from its first statement (BEGIN IMMEDIATE) to its commit, so a hash computed inside that
transaction makes every other writer wait for it: a burst of sign-ups or logins would push
them past the busy timeout. Here the reads done so far (authentication, the account lookup)
are committed first, argon2 runs with no transaction at all, and the next statement begins
the request's writing transaction, in which the account row is read again: whatever was
decided from the earlier read is checked against the row as it is now.
"""

from __future__ import annotations

import hmac
import secrets
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.passwords import hash_password, hash_password_sync, needs_rehash, verify_password
from veza.models import User


@lru_cache(maxsize=1)
def _timing_dummy_hash() -> str:
    """A real argon2id hash of a random password: unknown emails are checked against it, so
    they cost the time of a wrong password and do not reveal which accounts exist."""
    return hash_password_sync(secrets.token_urlsafe(16))


async def reads_before_hashing(session: AsyncSession) -> None:
    """On PostgreSQL, let the reads that decide whether to hash run without a transaction.

    ``end_reads`` commits them before the hash anyway; in autocommit they cost no BEGIN and no
    COMMIT, two of a login's ten round trips. SQLite keeps its transaction: its writing
    sessions take the write lock at BEGIN, which autocommit would bypass.
    """
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def end_reads(session: AsyncSession) -> None:
    """Commit the reads made so far, so that what follows runs with no transaction (and, on
    SQLite, without the write lock). Only reads may come before it: a pending write would
    be committed early, which is a bug."""
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reads() after a write: the write would be committed early")
    await session.commit()


async def new_password_hash(session: AsyncSession, password: str) -> str:
    """The argon2id hash of ``password``, computed outside any transaction."""
    await end_reads(session)
    return await hash_password(password)


async def password_matches(
    session: AsyncSession, user: User, password: str, *, rehash: bool = False
) -> bool:
    """Whether ``password`` is the user's, checked outside any transaction; then the row is
    read again in the request's writing transaction, and a password changed meanwhile does
    not match. With ``rehash``, a hash made with older parameters is replaced."""
    stored = user.password_hash
    await end_reads(session)
    matches = await verify_password(stored, password)
    upgraded = None
    if matches and rehash and needs_rehash(stored):  # hashing parameters changed since
        upgraded = await hash_password(password)
    await session.refresh(user)
    if not hmac.compare_digest(user.password_hash.encode(), stored.encode()):
        return False
    if upgraded is not None:
        user.password_hash = upgraded
    return matches


async def no_account_check(session: AsyncSession, password: str) -> None:
    """The cost of a wrong password, for an email that has no account."""
    await end_reads(session)
    await verify_password(_timing_dummy_hash(), password)
