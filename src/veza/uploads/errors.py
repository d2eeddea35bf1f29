"""Errors of uploads: every code the uploads domain answers with."""

from __future__ import annotations

from veza.kit.errors import BadRequest, Forbidden, NotFound, ValidationFailed


class QuotaExceeded(Forbidden):
    code = "QUOTA_EXCEEDED"
    message = "Quota exceeded"


class NotYourQuota(Forbidden):
    code = "FORBIDDEN"
    message = "You may only see your own quota"


class QuotaUserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    message = "User not found"


class UploadNotFound(NotFound):
    """GET /tracks/resume/{uploadId}: an unknown upload session (or someone else's)."""

    code = "UPLOAD_NOT_FOUND"
    message = "Upload session not found"


class UnknownUpload(ValidationFailed):
    """The operations whose contract lists no 404 answer an unknown session as a bad field."""

    code = "UPLOAD_NOT_FOUND"
    message = "Upload session not found"

    @classmethod
    def named(cls, field: str, raw_id: str) -> UnknownUpload:
        return cls(details=[{"field": field, "message": "unknown upload session", "value": raw_id}])


class UploadAlreadyCompleted(BadRequest):
    code = "UPLOAD_ALREADY_COMPLETED"
    message = "This upload has already been completed"


class UploadExpired(BadRequest):
    code = "UPLOAD_EXPIRED"
    message = "This upload session has expired"
