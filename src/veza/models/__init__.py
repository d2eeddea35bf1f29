"""All ORM models. Importing this package registers every table on ``Base.metadata``."""

from veza.models.audit import AuditLog
from veza.models.auth import (
    AuthSession,
    OneTimeToken,
    PrivacyPreference,
    RefreshToken,
    TwoFactorRecoveryCode,
)
from veza.models.base import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, utcnow
from veza.models.comment import Comment
from veza.models.engagement import PlayMark, TrackLike, TrackPlay, TrackRepost, TrackShare
from veza.models.files import StorageDeletion
from veza.models.notification import Notification, NotificationActor
from veza.models.playlist import Playlist, PlaylistCollaborator, PlaylistShare, PlaylistTrack
from veza.models.queue import ListeningSession, PlayQueue, QueueItem, SessionItem
from veza.models.social import Block, Follow
from veza.models.track import (
    Track,
    TrackHistory,
    TrackLyrics,
    TrackVersion,
    UploadChunk,
    UploadSession,
)
from veza.models.user import User

__all__ = [
    "AuditLog",
    "AuthSession",
    "Base",
    "Block",
    "Comment",
    "Follow",
    "ListeningSession",
    "Notification",
    "NotificationActor",
    "OneTimeToken",
    "PlayMark",
    "PlayQueue",
    "Playlist",
    "PlaylistCollaborator",
    "PlaylistShare",
    "PlaylistTrack",
    "PrivacyPreference",
    "QueueItem",
    "RefreshToken",
    "SessionItem",
    "StorageDeletion",
    "Timestamps",
    "Track",
    "TrackHistory",
    "TrackLike",
    "TrackLyrics",
    "TrackPlay",
    "TrackRepost",
    "TrackShare",
    "TrackVersion",
    "TwoFactorRecoveryCode",
    "UTCDateTime",
    "UUIDPrimaryKey",
    "UploadChunk",
    "UploadSession",
    "User",
    "utcnow",
]
