"""Request and response models of the users domain."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from veza.kit.schemas import RequestModel


class UpdateProfileRequest(RequestModel):
    banner_url: str | None = Field(None, max_length=2048)
    bio: str | None = Field(None, max_length=500)
    birthdate: str | None = None
    first_name: str | None = Field(None, max_length=100)
    gender: Literal["Male", "Female", "Other", "Prefer not to say"] | None = None
    is_public: bool | None = None
    last_name: str | None = Field(None, max_length=100)
    location: str | None = Field(None, max_length=100)
    social_links: dict[str, Any] | None = None
    username: str | None = Field(None, min_length=3, max_length=30)
