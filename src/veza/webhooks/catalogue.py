"""The events a webhook may subscribe to: the documented catalogue (docs/WEBHOOKS.md), each
with what its ``data`` carries. Whose webhooks receive an event is said beside it."""

from __future__ import annotations

TRACK_UPLOADED = "track.uploaded"
TRACK_PROCESSED = "track.processed"
TRACK_FAILED = "track.failed"
TRACK_LIKED = "track.liked"
TRACK_COMMENTED = "track.commented"
USER_FOLLOWED = "user.followed"
PLAYLIST_UPDATED = "playlist.updated"
ORDER_PAID = "order.paid"
WEBHOOK_TEST = "webhook.test"

# name -> (who receives it, what ``data`` holds)
CATALOGUE: dict[str, tuple[str, str]] = {
    TRACK_UPLOADED: ("the track's creator", "track_id"),
    TRACK_PROCESSED: ("the track's creator", "track_id"),
    TRACK_FAILED: ("the track's creator", "track_id, message"),
    TRACK_LIKED: ("the track's creator", "track_id, user_id (who liked it)"),
    TRACK_COMMENTED: ("the track's creator", "track_id, comment_id, user_id (the author)"),
    USER_FOLLOWED: ("the followed user", "user_id (the follower), followed_id"),
    PLAYLIST_UPDATED: ("the playlist's owner", "playlist_id, actor_id"),
    ORDER_PAID: ("the buyer and the sellers of its items", "order_id"),
    WEBHOOK_TEST: ("the webhook tested (POST /webhooks/{id}/test)", "webhook_id, message"),
}

EVENT_NAMES = frozenset(CATALOGUE)
