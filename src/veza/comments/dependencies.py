"""Dependencies of the comments routes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from veza.kit.ratelimit import RateLimiter, get_rate_limiter

POST_LIMIT_KEY = "comment-posts"


@dataclass(frozen=True)
class CommentLimits:
    """How fast one user may post comments (VEZA_COMMENTS__POSTS_PER_USER)."""

    limiter: RateLimiter
    posts_per_user: str

    async def consume_post(self, user_id: uuid.UUID) -> None:
        """Count one comment, or raise RateLimited (429 with Retry-After)."""
        await self.limiter.consume(self.posts_per_user, POST_LIMIT_KEY, str(user_id))


async def get_comment_limits(request: Request) -> CommentLimits:
    return CommentLimits(
        get_rate_limiter(request.app), request.app.state.settings.comments.posts_per_user
    )


CommentLimiter = Annotated[CommentLimits, Depends(get_comment_limits)]
