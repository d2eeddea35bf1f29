"""Request and response models of the users domain.

Responses come in views of one user (see docs/CONFORMANCE.md, "Users and the social graph"):
``UserCard`` in lists, ``PublicProfile`` for anyone who may read a profile, ``OwnerProfile``
for the user and administrators, ``PrivateProfileCard`` for others looking at a private one.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from veza.kit.pagination import Pagination
from veza.kit.schemas import RequestModel, ResponseModel, UTCTimestamp

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
ROLES = ("user", "creator", "admin")
MAX_SOCIAL_LINKS = 20
MAX_GENRES = 10
OLDEST_BIRTHDATE = date(1900, 1, 1)


def _http_url(value: str) -> str:
    """The value if it is an absolute http(s) URL, else a ValueError."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    if any(char.isspace() for char in value):
        raise ValueError("must not contain spaces")
    return value


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class Named(Protocol):
    """What a user's shown name is made of: a User, or a row of its columns."""

    @property
    def username(self) -> str: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...


def display_name(user: Named) -> str:
    """The name shown for a user: first and last name when given, else the username."""
    full = " ".join(part for part in (user.first_name, user.last_name) if part)
    return full or user.username


class UpdateProfileRequest(RequestModel):
    """PUT /users/{id}. A field left out is unchanged; null (or a blank string) clears it.

    ``avatar`` and ``genres`` are additions to the contract's model; ``role``, ``is_active``,
    ``is_banned`` and ``is_admin`` are applied only when an administrator sends them.
    """

    banner_url: str | None = Field(None, max_length=2048)
    bio: str | None = Field(None, max_length=500)
    birthdate: str | None = Field(None, description="YYYY-MM-DD, a real date in the past")
    first_name: str | None = Field(None, max_length=100)
    gender: Literal["Male", "Female", "Other", "Prefer not to say"] | None = None
    is_public: bool | None = None
    last_name: str | None = Field(None, max_length=100)
    location: str | None = Field(None, max_length=100)
    social_links: dict[str, Any] | None = Field(
        None, description="Network name -> http(s) URL of the profile there"
    )
    username: str | None = Field(None, min_length=3, max_length=30)
    # Additions to the contract.
    avatar: str | None = Field(None, max_length=2048, description="http(s) URL of the avatar")
    genres: list[str] | None = Field(
        None, description=f"Declared genres (at most {MAX_GENRES}), used by suggestions"
    )
    # Administrators only; ignored from anyone else.
    role: Literal["user", "creator", "admin"] | None = None
    is_active: bool | None = None
    is_banned: bool | None = None
    is_admin: bool | None = None

    @field_validator("bio", "first_name", "last_name", "location")
    @classmethod
    def _strip_text(cls, value: str | None) -> str | None:
        return _blank_to_none(value)

    @field_validator("banner_url", "avatar")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        value = _blank_to_none(value)
        return None if value is None else _http_url(value)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("username cannot be removed")
        if not USERNAME_PATTERN.fullmatch(value):
            raise ValueError("only letters, digits, '_', '.' and '-' are allowed")
        return value

    @field_validator("birthdate")
    @classmethod
    def _birthdate(cls, value: str | None) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        # A full RFC 3339 timestamp is accepted too; only its date counts.
        try:
            day = date.fromisoformat(value[:10]) if len(value) >= 10 else None
        except ValueError:
            day = None
        if day is None or (len(value) > 10 and value[10] not in "Tt "):
            raise ValueError("must be a date (YYYY-MM-DD)")
        if not OLDEST_BIRTHDATE <= day < datetime.now(UTC).date():
            raise ValueError("must be a real date in the past")
        return day.isoformat()

    @field_validator("social_links")
    @classmethod
    def _social_links(cls, value: dict[str, Any] | None) -> dict[str, str] | None:
        if value is None:
            return None
        if len(value) > MAX_SOCIAL_LINKS:
            raise ValueError(f"at most {MAX_SOCIAL_LINKS} links")
        links: dict[str, str] = {}
        for name, url in value.items():
            key = name.strip()
            if not key or len(key) > 50:
                raise ValueError("each network name must be 1 to 50 characters")
            if url is None or (isinstance(url, str) and not url.strip()):
                continue  # an emptied link is dropped
            if not isinstance(url, str) or len(url) > 2048:
                raise ValueError(f"{key}: must be an http(s) URL")
            try:
                links[key] = _http_url(url.strip())
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from exc
        return links or None

    @field_validator("genres")
    @classmethod
    def _genres(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        genres: list[str] = []
        seen: set[str] = set()
        for genre in value:
            name = genre.strip()
            if not name or len(name) > 50:
                raise ValueError("each genre must be 1 to 50 characters")
            if name.lower() not in seen:
                seen.add(name.lower())
                genres.append(name)
        if len(genres) > MAX_GENRES:
            raise ValueError(f"at most {MAX_GENRES} genres")
        return genres or None


class Relationship(BaseModel):
    """How the viewer relates to a user; present only for an authenticated viewer."""

    is_following: bool | None = None
    is_followed_by: bool | None = None


class UserCard(Relationship, ResponseModel):
    """A user in a list (search, suggestions, GET /users): public fields only."""

    id: uuid.UUID
    username: str
    slug: str | None = None
    display_name: str
    first_name: str | None = None
    last_name: str | None = None
    avatar: str | None = None
    banner_url: str | None = None
    bio: str | None = None
    location: str | None = None
    role: str
    is_verified: bool
    is_public: bool
    created_at: UTCTimestamp
    follower_count: int = 0
    following_count: int = 0


class AdminUserCard(UserCard):
    """A user in an administrator's list: adds account and login data."""

    email: str
    is_active: bool
    is_banned: bool
    is_admin: bool
    last_login_at: UTCTimestamp | None = None
    login_count: int = 0
    updated_at: UTCTimestamp


class PublicProfile(UserCard):
    gender: str | None = None
    social_links: dict[str, Any] | None = None
    genres: list[str] | None = None
    promoted_to_creator_at: UTCTimestamp | None = None
    # The viewer blocked this user (the profile stays reachable so they can unblock).
    is_blocked: bool | None = None


class OwnerProfile(PublicProfile):
    """The profile as its owner and administrators see it."""

    email: str
    birthdate: date | None = None
    is_active: bool
    is_banned: bool
    is_admin: bool
    email_verified_at: UTCTimestamp | None = None
    last_login_at: UTCTimestamp | None = None
    login_count: int = 0
    password_changed_at: UTCTimestamp | None = None
    username_changed_at: UTCTimestamp | None = None
    updated_at: UTCTimestamp


class PrivateProfileCard(Relationship, ResponseModel):
    """What others see of a profile with is_public=false."""

    id: uuid.UUID
    username: str
    slug: str | None = None
    display_name: str
    avatar: str | None = None
    is_public: bool = False
    follower_count: int = 0
    following_count: int = 0
    is_blocked: bool | None = None


Profile = OwnerProfile | PublicProfile | PrivateProfileCard


class ProfileData(BaseModel):
    profile: Profile


class UserList(BaseModel):
    users: list[AdminUserCard | UserCard]
    pagination: Pagination


class SearchResults(BaseModel):
    users: list[UserCard]
    pagination: Pagination


SuggestionReason = Literal["followed_by_people_you_follow", "shares_your_genres", "new_creator"]


class Suggestion(UserCard):
    reason: SuggestionReason


class Suggestions(BaseModel):
    users: list[Suggestion]


class Completion(BaseModel):
    percentage: int
    completed_fields: list[str]
    missing_fields: list[str]
    total_fields: int


class Message(BaseModel):
    message: str


class FollowResult(Message):
    is_following: bool
    follower_count: int


class BlockResult(Message):
    is_blocked: bool


class UpgradeResult(Message):
    upgraded: bool
    profile: OwnerProfile


@dataclass(frozen=True)
class UserListQuery:
    """The filters and order of GET /users, as read from its query string."""

    role: str | None
    is_active: bool | None
    is_verified: bool | None
    search: str | None
    sort_by: str
    sort_order: str
