"""HTTP routes of the auth domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query

from veza.auth import schemas
from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented

router = APIRouter()


@router.post("/auth/2fa/disable", tags=["Auth"], summary="Disable 2FA")
@not_implemented
async def post_auth_2fa_disable(
    user: CurrentUser,
    body: Annotated[schemas.DisableTwoFactorRequest, Body(description="Password Confirmation")],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/2fa/setup", tags=["Auth"], summary="Setup 2FA")
@not_implemented
async def post_auth_2fa_setup(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.get("/auth/2fa/status", tags=["Auth"], summary="Get 2FA Status")
@not_implemented
async def get_auth_2fa_status(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.post("/auth/2fa/verify", tags=["Auth"], summary="Verify and Enable 2FA")
@not_implemented
async def post_auth_2fa_verify(
    user: CurrentUser,
    body: Annotated[schemas.VerifyTwoFactorRequest, Body(description="2FA Code")],
) -> None:
    raise NotImplementedYet()


@router.get("/auth/check-username", tags=["Auth"], summary="Check Username Availability")
@not_implemented
async def get_auth_check_username(
    username: Annotated[str, Query(description="Username to check")],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/login", tags=["Auth"], summary="User Login")
@not_implemented
async def post_auth_login(
    body: Annotated[schemas.LoginRequest, Body(description="Login Credentials")],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/logout", tags=["Auth"], summary="Logout")
@not_implemented
async def post_auth_logout(
    user: CurrentUser,
    body: Annotated[schemas.PostAuthLogoutBody, Body(description="Refresh Token to revoke")],
) -> None:
    raise NotImplementedYet()


@router.get("/auth/me", tags=["Auth"], summary="Get Current User")
@not_implemented
async def get_auth_me(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.post("/auth/password/reset", tags=["Auth"], summary="Reset password with token")
@not_implemented
async def post_auth_password_reset(
    body: Annotated[schemas.ResetPasswordRequest, Body(description="Reset token + new password")],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/password/reset-request", tags=["Auth"], summary="Request password reset")
@not_implemented
async def post_auth_password_reset_request(
    body: Annotated[
        schemas.RequestPasswordResetRequest, Body(description="Email of the account to reset")
    ],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/refresh", tags=["Auth"], summary="Refresh Token")
@not_implemented
async def post_auth_refresh(
    body: Annotated[schemas.RefreshRequest, Body(description="Refresh Token")],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/register", tags=["Auth"], summary="User Registration", status_code=201)
@not_implemented
async def post_auth_register(
    body: Annotated[schemas.RegisterRequest, Body(description="Registration Data")],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/resend-verification", tags=["Auth"], summary="Resend Verification Email")
@not_implemented
async def post_auth_resend_verification(
    body: Annotated[schemas.ResendVerificationRequest, Body(description="Email")],
) -> None:
    raise NotImplementedYet()


@router.post("/auth/stream-token", tags=["Auth"], summary="Get ephemeral stream token")
@not_implemented
async def post_auth_stream_token(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.post("/auth/verify-email", tags=["Auth"], summary="Verify Email")
@not_implemented
async def post_auth_verify_email(
    x__verify__token: Annotated[
        str | None, Header(alias="X-Verify-Token", description="Verification Token (preferred)")
    ] = None,
    token: Annotated[
        str | None,
        Query(description="Verification Token (deprecated, accepted for backward compat)"),
    ] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/chat/token", tags=["Chat"], summary="Get Chat Token")
@not_implemented
async def get_chat_token(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.delete("/users/me", tags=["Users"], summary="Delete account")
@not_implemented
async def delete_users_me(
    user: CurrentUser,
    body: Annotated[
        schemas.DeleteAccountRequest,
        Body(description="Password, reason, confirm_text (must be DELETE)"),
    ],
) -> None:
    raise NotImplementedYet()


@router.post("/users/me/privacy/opt-out", tags=["Users"], summary="CCPA Do Not Sell opt-out")
@not_implemented
async def post_users_me_privacy_opt_out(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()
