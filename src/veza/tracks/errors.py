"""Errors of the catalog: every code the tracks domain answers with, in one place."""

from __future__ import annotations

from veza.kit.errors import Forbidden, NotFound


class TrackNotFound(NotFound):
    code = "TRACK_NOT_FOUND"
    message = "Track not found"


class NotTrackOwner(Forbidden):
    code = "NOT_TRACK_OWNER"
    message = "Only the track's owner or an administrator can do this"


class OnlyTheOwner(Forbidden):
    code = "FORBIDDEN"
    message = "Only the track's owner can do this"


class VersionNotFound(NotFound):
    code = "VERSION_NOT_FOUND"
    message = "Version not found"


class ShareNotFound(NotFound):
    code = "SHARE_NOT_FOUND"
    message = "Share link not found"


class ShareExpired(Forbidden):
    code = "SHARE_EXPIRED"
    message = "This share link has expired"


class NotShareIssuer(Forbidden):
    code = "NOT_SHARE_ISSUER"
    message = "Only the person who created a share link, or an administrator, can revoke it"
