"""What an auth service call needs besides its input: the transaction, settings and tools."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from veza.config import Settings
from veza.kit.db import Database
from veza.kit.mail import Mailer
from veza.kit.ratelimit import RateLimiter
from veza.kit.tokens import TokenCodec

# Schedules a callable to run once the response has been sent (Starlette's background tasks).
RunAfterResponse = Callable[[Callable[[], Awaitable[None]]], None]


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
    # For work done after the response, in a transaction of its own (see service.after_response).
    database: Database
    run_after_response: RunAfterResponse
