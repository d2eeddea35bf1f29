"""All ORM models. Importing this package registers every table on ``Base.metadata``."""

from veza.models.base import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, utcnow
from veza.models.user import User

__all__ = ["Base", "Timestamps", "UTCDateTime", "UUIDPrimaryKey", "User", "utcnow"]
