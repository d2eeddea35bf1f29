"""HTTP routes of the auth domain: accounts, sessions, 2FA, deletion, privacy, short tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Response

from veza.auth import account, login, schemas, service, two_factor
from veza.auth.cookies import clear_refresh_cookie, set_refresh_cookie
from veza.auth.dependencies import AuthCtx, CurrentSessionId, CurrentUser, RefreshCookie
from veza.kit.envelope import Envelope, ok

router = APIRouter()


@router.post("/auth/2fa/disable", tags=["Auth"], summary="Disable 2FA")
async def post_auth_2fa_disable(
    user: CurrentUser,
    session_id: CurrentSessionId,
    ctx: AuthCtx,
    body: Annotated[schemas.DisableTwoFactorRequest, Body(description="Password Confirmation")],
) -> Envelope[schemas.MessageResponse]:
    return ok(await two_factor.disable_two_factor(ctx, user, session_id, body.password))


@router.post("/auth/2fa/setup", tags=["Auth"], summary="Setup 2FA")
async def post_auth_2fa_setup(
    user: CurrentUser,
    ctx: AuthCtx,
) -> Envelope[schemas.SetupTwoFactorResponse]:
    return ok(await two_factor.setup_two_factor(ctx, user))


@router.get("/auth/2fa/status", tags=["Auth"], summary="Get 2FA Status")
async def get_auth_2fa_status(
    user: CurrentUser,
) -> Envelope[schemas.TwoFactorStatus]:
    return ok(two_factor.two_factor_status(user))


@router.post("/auth/2fa/verify", tags=["Auth"], summary="Verify and Enable 2FA")
async def post_auth_2fa_verify(
    user: CurrentUser,
    session_id: CurrentSessionId,
    ctx: AuthCtx,
    body: Annotated[schemas.VerifyTwoFactorRequest, Body(description="2FA Code")],
) -> Envelope[schemas.MessageResponse]:
    return ok(await two_factor.verify_two_factor(ctx, user, session_id, body))


@router.get("/auth/check-username", tags=["Auth"], summary="Check Username Availability")
async def get_auth_check_username(
    ctx: AuthCtx,
    username: Annotated[str, Query(description="Username to check")],
) -> Envelope[schemas.UsernameAvailability]:
    return ok(await account.check_username(ctx, username))


@router.post("/auth/login", tags=["Auth"], summary="User Login", response_model_exclude_none=True)
async def post_auth_login(
    ctx: AuthCtx,
    response: Response,
    body: Annotated[schemas.LoginRequest, Body(description="Login Credentials")],
) -> schemas.LoginResponse:
    outcome = await login.login(ctx, body)
    if outcome.tokens is not None:
        tokens = outcome.tokens
        set_refresh_cookie(response, ctx.settings, tokens.refresh_token, tokens.cookie_max_age)
    return outcome.body


@router.post("/auth/logout", tags=["Auth"], summary="Logout")
async def post_auth_logout(
    user: CurrentUser,
    session_id: CurrentSessionId,
    ctx: AuthCtx,
    refresh_cookie: RefreshCookie,
    response: Response,
    body: Annotated[schemas.PostAuthLogoutBody, Body(description="Refresh Token to revoke")],
) -> Envelope[schemas.MessageResponse]:
    result = await service.logout(ctx, user, session_id, body.refresh_token or refresh_cookie)
    clear_refresh_cookie(response, ctx.settings)
    return ok(result)


@router.get("/auth/me", tags=["Auth"], summary="Get Current User", response_model_exclude_none=True)
async def get_auth_me(
    user: CurrentUser,
) -> Envelope[schemas.CurrentUserResponse]:
    return ok(account.current_user(user))


@router.post("/auth/password/reset", tags=["Auth"], summary="Reset password with token")
async def post_auth_password_reset(
    ctx: AuthCtx,
    body: Annotated[schemas.ResetPasswordRequest, Body(description="Reset token + new password")],
) -> Envelope[schemas.MessageResponse]:
    return ok(await account.reset_password(ctx, body.token, body.new_password))


@router.post("/auth/password/reset-request", tags=["Auth"], summary="Request password reset")
async def post_auth_password_reset_request(
    ctx: AuthCtx,
    body: Annotated[
        schemas.RequestPasswordResetRequest, Body(description="Email of the account to reset")
    ],
) -> Envelope[schemas.MessageResponse]:
    return ok(await account.request_password_reset(ctx, body.email))


@router.post("/auth/refresh", tags=["Auth"], summary="Refresh Token")
async def post_auth_refresh(
    ctx: AuthCtx,
    refresh_cookie: RefreshCookie,
    response: Response,
    body: Annotated[schemas.RefreshRequest, Body(description="Refresh Token")],
) -> schemas.TokenResponse:
    tokens = await service.refresh(ctx, body.refresh_token or refresh_cookie)
    set_refresh_cookie(response, ctx.settings, tokens.refresh_token, tokens.cookie_max_age)
    return tokens.response()


@router.post("/auth/register", tags=["Auth"], summary="User Registration", status_code=201)
async def post_auth_register(
    ctx: AuthCtx,
    body: Annotated[schemas.RegisterRequest, Body(description="Registration Data")],
) -> schemas.RegisterResponse:
    return await service.register(ctx, body)


@router.post("/auth/resend-verification", tags=["Auth"], summary="Resend Verification Email")
async def post_auth_resend_verification(
    ctx: AuthCtx,
    body: Annotated[schemas.ResendVerificationRequest, Body(description="Email")],
) -> Envelope[schemas.MessageResponse]:
    return ok(await service.resend_verification(ctx, body.email))


@router.post("/auth/stream-token", tags=["Auth"], summary="Get ephemeral stream token")
async def post_auth_stream_token(
    user: CurrentUser,
    session_id: CurrentSessionId,
    ctx: AuthCtx,
) -> schemas.StreamTokenResponse:
    return account.stream_token(ctx, user, session_id)


@router.post("/auth/verify-email", tags=["Auth"], summary="Verify Email")
async def post_auth_verify_email(
    ctx: AuthCtx,
    x__verify__token: Annotated[
        str | None, Header(alias="X-Verify-Token", description="Verification Token (preferred)")
    ] = None,
    token: Annotated[
        str | None,
        Query(description="Verification Token (deprecated, accepted for backward compat)"),
    ] = None,
) -> Envelope[schemas.MessageResponse]:
    return ok(await service.verify_email(ctx, x__verify__token, token))


@router.get("/chat/token", tags=["Chat"], summary="Get Chat Token")
async def get_chat_token(
    user: CurrentUser,
    session_id: CurrentSessionId,
    ctx: AuthCtx,
) -> Envelope[schemas.ChatTokenResponse]:
    return ok(account.chat_token(ctx, user, session_id))


@router.delete("/users/me", tags=["Users"], summary="Delete account")
async def delete_users_me(
    user: CurrentUser,
    ctx: AuthCtx,
    response: Response,
    body: Annotated[
        schemas.DeleteAccountRequest,
        Body(description="Password, reason, confirm_text (must be DELETE)"),
    ],
) -> schemas.AccountDeletedResponse:
    result = await account.delete_account(ctx, user, body)
    clear_refresh_cookie(response, ctx.settings)
    return result


@router.post("/users/me/privacy/opt-out", tags=["Users"], summary="CCPA Do Not Sell opt-out")
async def post_users_me_privacy_opt_out(
    user: CurrentUser,
    ctx: AuthCtx,
) -> schemas.PrivacyOptOutResponse:
    return await account.opt_out_of_sale(ctx, user)
