"""Request and response models of the auth domain."""

from __future__ import annotations

import uuid

from pydantic import Field

from veza.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from veza.kit.schemas import RequestModel, ResponseModel, UTCTimestamp

# --- requests -------------------------------------------------------------------------------


class DeleteAccountRequest(RequestModel):
    confirm_text: str = Field(..., description='Must be exactly "DELETE"')
    keep_public_tracks: bool | None = Field(
        None, description="If true, public tracks remain (attributed to deleted account)"
    )
    password: str
    reason: str | None = Field(None, max_length=2000)


class ResendVerificationRequest(RequestModel):
    email: str


class RegisterRequest(RequestModel):
    email: str
    password: str = Field(..., min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    password_confirmation: str
    username: str | None = Field(
        None,
        min_length=3,
        max_length=50,
        description="Letters, digits, _ . - ; derived from the email when absent",
    )


class RefreshRequest(RequestModel):
    refresh_token: str | None = Field(
        None,
        description="The refresh token; empty or absent to use the httpOnly refresh cookie",
    )


class RequestPasswordResetRequest(RequestModel):
    email: str


class ResetPasswordRequest(RequestModel):
    new_password: str = Field(..., min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    token: str


class PostAuthLogoutBody(RequestModel):
    refresh_token: str | None = None


class LoginRequest(RequestModel):
    email: str
    password: str
    remember_me: bool | None = None
    two_factor_code: str | None = Field(
        None,
        max_length=64,
        description=(
            "With 2FA on: the 6-digit code of the authenticator app, or one recovery code. "
            "Send the login again with it after a reply with requires_2fa=true."
        ),
    )


class VerifyTwoFactorRequest(RequestModel):
    code: str = Field(..., description="TOTP code to verify")
    secret: str = Field(..., description="Secret from setup step")


class DisableTwoFactorRequest(RequestModel):
    password: str


# --- responses ------------------------------------------------------------------------------


class UserResponse(ResponseModel):
    id: uuid.UUID
    email: str
    username: str


class TokenResponse(ResponseModel):
    access_token: str
    expires_in: int = Field(..., description="Access token lifetime, seconds")
    refresh_token: str


class LoginResponse(ResponseModel):
    requires_2fa: bool = False
    token: TokenResponse | None = None
    user: UserResponse | None = None


class RegisterResponse(ResponseModel):
    message: str
    user: UserResponse
    verification_required: bool


class MessageResponse(ResponseModel):
    message: str


class UsernameAvailability(ResponseModel):
    available: bool
    username: str


class CurrentUserResponse(ResponseModel):
    id: uuid.UUID
    email: str
    username: str
    first_name: str | None = None
    last_name: str | None = None
    avatar: str | None = None
    bio: str | None = None
    role: str
    is_admin: bool
    is_verified: bool
    email_verified_at: UTCTimestamp | None = None
    two_factor_enabled: bool
    created_at: UTCTimestamp
    last_login_at: UTCTimestamp | None = None


class SetupTwoFactorResponse(ResponseModel):
    secret: str
    qr_code_url: str = Field(..., description="data:image/png;base64 QR code of otpauth_url")
    recovery_codes: list[str] = Field(..., description="Single-use codes, shown only once")
    otpauth_url: str = Field(..., description="otpauth:// URI, for clients drawing their own QR")


class TwoFactorStatus(ResponseModel):
    enabled: bool


class StreamTokenResponse(ResponseModel):
    token: str
    expires_in: int = Field(..., description="seconds")


class ChatTokenResponse(ResponseModel):
    token: str
    expires_in: int = Field(..., description="seconds")


class AccountDeletedResponse(ResponseModel):
    message: str
    keep_public_tracks: bool


class PrivacyOptOutResponse(ResponseModel):
    do_not_sell: bool
    opted_out_at: UTCTimestamp
