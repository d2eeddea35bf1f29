"""The signed-in account: password reset, the current user, stream and chat tokens, account
deletion (anonymised, sessions revoked, USER_DELETED published) and the privacy opt-out."""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog

from veza.auth import mails, repository
from veza.auth.context import AuthContext
from veza.auth.credentials import new_password_hash, password_matches
from veza.auth.schemas import (
    AccountDeletedResponse,
    ChatTokenResponse,
    CurrentUserResponse,
    DeleteAccountRequest,
    MessageResponse,
    PrivacyOptOutResponse,
    StreamTokenResponse,
    UsernameAvailability,
)
from veza.auth.service import (
    AUDIT_ACCOUNT_DELETED,
    AUDIT_PASSWORD_RESET,
    AUDIT_PRIVACY_OPT_OUT,
    DELETE_CONFIRMATION,
    GENERIC_RESET_MESSAGE,
    PASSWORD_RESET_TTL,
    after_response,
    audit,
    check_password,
    check_username_format,
    issue_one_time_token,
    mail_allowed,
    normalise_email,
    send_after_commit,
)
from veza.kit.errors import (
    BadRequest,
    ValidationFailed,
)
from veza.kit.events import USER_DELETED, USER_WITHDRAWN, publish
from veza.kit.opaque_tokens import digest
from veza.kit.tokens import (
    CHAT_AUDIENCE,
    CHAT_TOKEN_TYPE,
    STREAM_AUDIENCE,
    STREAM_TOKEN_TYPE,
)
from veza.models import User, utcnow
from veza.models.auth import PASSWORD_RESET_PURPOSE

log = structlog.get_logger("veza.auth")


# --- password reset -------------------------------------------------------------------------


async def request_password_reset(ctx: AuthContext, email: str) -> MessageResponse:
    """The same answer, at the same cost, for every address: the lookup, the token and the mail
    come after the response."""
    address = normalise_email(email)

    async def mail_reset_link(later: AuthContext) -> None:
        user = await repository.user_by_email(later.session, address)
        if user is None or not user.is_active or not await mail_allowed(later, address):
            return
        token = await issue_one_time_token(later, user, PASSWORD_RESET_PURPOSE, PASSWORD_RESET_TTL)
        send_after_commit(
            later, mails.password_reset_mail(later.settings, user.email, user.username, token)
        )

    after_response(ctx, mail_reset_link)
    return MessageResponse(message=GENERIC_RESET_MESSAGE)


def _invalid_reset_token() -> BadRequest:
    return BadRequest("Invalid or expired reset token", code="INVALID_RESET_TOKEN")


async def reset_password(ctx: AuthContext, token: str, new_password: str) -> MessageResponse:
    """The token is looked up, the password checked and hashed outside the writing transaction,
    then the token is spent (atomically: of two concurrent resets, one wins)."""
    token_hash = digest(token)
    user_id = await repository.live_one_time_token_user(
        ctx.session, token_hash, PASSWORD_RESET_PURPOSE, utcnow()
    )
    user = await ctx.session.get(User, user_id) if user_id else None
    if user is None or user.deleted_at is not None or not user.is_active:
        raise _invalid_reset_token()
    check_password(new_password, field="new_password", email=user.email, username=user.username)
    password_hash = await new_password_hash(ctx.session, new_password)
    now = utcnow()
    spent_by = await repository.consume_one_time_token(
        ctx.session, token_hash, PASSWORD_RESET_PURPOSE, now
    )
    await ctx.session.refresh(user)
    if spent_by != user.id or user.deleted_at is not None or not user.is_active:
        raise _invalid_reset_token()
    user.password_hash = password_hash
    user.password_changed_at = now
    # The mailed link proves the address works.
    if not user.is_verified:
        user.is_verified = True
        user.email_verified_at = now
    # Every session ends; 2FA stays as it was, so the next login still asks for a code.
    await repository.bump_token_version(ctx.session, user)
    await repository.revoke_user_sessions(ctx.session, user.id, now)
    await repository.retire_one_time_tokens(ctx.session, user.id, PASSWORD_RESET_PURPOSE, now)
    await audit(ctx, AUDIT_PASSWORD_RESET, user.id)
    send_after_commit(ctx, mails.password_changed_mail(user.email, user.username))
    return MessageResponse(message="Password reset. Log in with your new password.")


# --- the current user, short-lived tokens ---------------------------------------------------


def current_user(user: User) -> CurrentUserResponse:
    return CurrentUserResponse.model_validate(user)


async def check_username(ctx: AuthContext, username: str) -> UsernameAvailability:
    check_username_format(username)
    taken = await repository.username_exists(ctx.session, username)
    return UsernameAvailability(available=not taken, username=username)


def stream_token(ctx: AuthContext, user: User, session_id: uuid.UUID) -> StreamTokenResponse:
    ttl = ctx.settings.auth.stream_token_ttl_seconds
    token = ctx.tokens.encode(
        subject=str(user.id),
        typ=STREAM_TOKEN_TYPE,
        ttl_seconds=ttl,
        audience=STREAM_AUDIENCE,
        claims={"token_version": user.token_version, "sid": str(session_id)},
    )
    return StreamTokenResponse(token=token, expires_in=ttl)


def chat_token(ctx: AuthContext, user: User, session_id: uuid.UUID) -> ChatTokenResponse:
    ttl = ctx.settings.auth.chat_token_ttl_seconds
    token = ctx.tokens.encode(
        subject=str(user.id),
        typ=CHAT_TOKEN_TYPE,
        ttl_seconds=ttl,
        audience=CHAT_AUDIENCE,
        claims={
            "token_version": user.token_version,
            "sid": str(session_id),
            "username": user.username,
        },
    )
    return ChatTokenResponse(token=token, expires_in=ttl)


# --- account deletion and privacy -----------------------------------------------------------


async def delete_account(
    ctx: AuthContext, user: User, body: DeleteAccountRequest
) -> AccountDeletedResponse:
    if body.confirm_text != DELETE_CONFIRMATION:
        raise ValidationFailed.field(
            "confirm_text", f'must be exactly "{DELETE_CONFIRMATION}"', body.confirm_text
        )
    if not await password_matches(ctx.session, user, body.password):
        raise BadRequest("Invalid password", code="INVALID_PASSWORD")
    keep_public_tracks = bool(body.keep_public_tracks)
    now = utcnow()
    # The tracks domain removes the tracks (and files) that do not stay.
    await publish(ctx.session, USER_DELETED, user_id=user.id, keep_public_tracks=keep_public_tracks)
    # Kept public tracks stay in the catalog but are no longer served anonymously (the author
    # is not readable): cached copies go too.
    await publish(ctx.session, USER_WITHDRAWN, user_id=user.id)
    _anonymise(user, now)
    await repository.bump_token_version(ctx.session, user)
    await repository.revoke_user_sessions(ctx.session, user.id, now)
    await repository.delete_one_time_tokens(ctx.session, user.id)
    await repository.delete_recovery_codes(ctx.session, user.id)
    await repository.delete_privacy_preference(ctx.session, user.id)
    await audit(
        ctx,
        AUDIT_ACCOUNT_DELETED,
        user.id,
        details={"keep_public_tracks": keep_public_tracks, "reason": body.reason},
    )
    return AccountDeletedResponse(message="Account deleted", keep_public_tracks=keep_public_tracks)


def _anonymise(user: User, now: datetime) -> None:
    """Strip everything personal; the row stays so kept tracks and audit rows still point at it.

    The ".invalid" domain can never be registered, and frees the old email for a new account.
    """
    user.email = f"deleted-{user.id.hex}@deleted.invalid"
    user.username = f"deleted_{user.id.hex}"
    user.slug = None
    user.password_hash = "!deleted"  # not an argon2 hash: no password ever matches it
    for field in (
        "first_name",
        "last_name",
        "avatar",
        "banner_url",
        "bio",
        "location",
        "gender",
        "birthdate",
        "social_links",
        "genres",
        "two_factor_secret",
        "two_factor_pending_secret",
        "two_factor_enabled_at",
        "two_factor_last_step",
    ):
        setattr(user, field, None)
    user.two_factor_enabled = False
    user.is_public = False
    user.is_active = False
    user.deleted_at = now


async def opt_out_of_sale(ctx: AuthContext, user: User) -> PrivacyOptOutResponse:
    preference = await repository.privacy_preference(ctx.session, user.id)
    opted_out_at = preference.do_not_sell_at
    if not preference.do_not_sell or opted_out_at is None:
        opted_out_at = utcnow()
        preference.do_not_sell = True
        preference.do_not_sell_at = opted_out_at
        await audit(ctx, AUDIT_PRIVACY_OPT_OUT, user.id, details={"do_not_sell": True})
    return PrivacyOptOutResponse(do_not_sell=True, opted_out_at=opted_out_at)
