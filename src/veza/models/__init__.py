"""All ORM models. Importing this package registers every table on ``Base.metadata``."""

from veza.models.audit import AuditChainHead, AuditLog
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
from veza.models.files import StorageDeletion, StorageHold
from veza.models.library import LibraryEntry, SubsonicApiKey, SubsonicCredential
from veza.models.marketplace import (
    ExclusiveClaim,
    IdempotencyKey,
    Order,
    OrderItem,
    Product,
    ProductLicense,
    PromoCode,
)
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
from veza.models.user import User, Viewer
from veza.models.webhook import Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "AuditChainHead",
    "AuditLog",
    "AuthSession",
    "Base",
    "Block",
    "Comment",
    "ExclusiveClaim",
    "Follow",
    "IdempotencyKey",
    "LibraryEntry",
    "ListeningSession",
    "Notification",
    "NotificationActor",
    "OneTimeToken",
    "Order",
    "OrderItem",
    "PlayMark",
    "PlayQueue",
    "Playlist",
    "PlaylistCollaborator",
    "PlaylistShare",
    "PlaylistTrack",
    "PrivacyPreference",
    "Product",
    "ProductLicense",
    "PromoCode",
    "QueueItem",
    "RefreshToken",
    "SessionItem",
    "StorageDeletion",
    "StorageHold",
    "SubsonicApiKey",
    "SubsonicCredential",
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
    "Viewer",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "utcnow",
]
