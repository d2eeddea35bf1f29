"""What an auth service call needs besides its input: the transaction, settings and tools."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from veza.config import Settings
from veza.kit.mail import Mailer
from veza.kit.ratelimit import RateLimiter
from veza.kit.tokens import TokenCodec


@dataclass(frozen=True)
class AuthContext:
    session: AsyncSession
    settings: Settings
    tokens: TokenCodec
    mailer: Mailer
    limiter: RateLimiter
    # Who is calling, for rate limits and the audit trail.
    ip_address: str | None
    user_agent: str | None
