"""Request and response models of the auth domain."""

from __future__ import annotations

from pydantic import Field

from veza.kit.schemas import RequestModel


class DeleteAccountRequest(RequestModel):
    confirm_text: str
    keep_public_tracks: bool | None = Field(
        None, description="If true, public tracks remain (attributed to deleted account)"
    )
    password: str
    reason: str | None = None


class ResendVerificationRequest(RequestModel):
    email: str


class RegisterRequest(RequestModel):
    email: str
    password: str = Field(..., min_length=12)
    password_confirmation: str
    username: str | None = Field(None, min_length=3, max_length=50)


class RefreshRequest(RequestModel):
    refresh_token: str


class RequestPasswordResetRequest(RequestModel):
    email: str


class ResetPasswordRequest(RequestModel):
    new_password: str = Field(..., min_length=12)
    token: str


class PostAuthLogoutBody(RequestModel):
    refresh_token: str | None = None


class LoginRequest(RequestModel):
    email: str
    password: str
    remember_me: bool | None = None


class VerifyTwoFactorRequest(RequestModel):
    code: str = Field(..., description="TOTP code to verify")
    secret: str = Field(..., description="Secret from setup step")


class DisableTwoFactorRequest(RequestModel):
    password: str
