"""What the queue routes need beyond the session and the caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from veza.config import QueueSettings
from veza.kit.ratelimit import RateLimiter, get_rate_limiter

SESSION_ADD_LIMIT_KEY = "session-adds"


@dataclass(frozen=True)
class QueueTools:
    """The queue's settings, the links' base URLs and the session-add limit."""

    settings: QueueSettings
    public_url: str
    web_app_url: str
    limiter: RateLimiter

    async def consume_session_add(self, user_id: uuid.UUID) -> None:
        """Count one track added to a session, or raise RateLimited (429 with Retry-After)."""
        await self.limiter.consume(
            self.settings.session_adds_per_user, SESSION_ADD_LIMIT_KEY, str(user_id)
        )


def tools_for(app: FastAPI) -> QueueTools:
    settings = app.state.settings
    return QueueTools(
        settings=settings.queue,
        public_url=settings.server.public_url,
        web_app_url=settings.server.frontend_url,
        limiter=get_rate_limiter(app),
    )


def get_queue_tools(request: Request) -> QueueTools:
    return tools_for(request.app)


Tools = Annotated[QueueTools, Depends(get_queue_tools)]
