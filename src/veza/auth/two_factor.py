"""TOTP two-factor authentication: setup with a QR code and recovery codes, confirmation,
status and disabling (which needs the password). A change ends every other session. Secrets
are stored sealed (totp.py); one stored in clear before sealing existed still opens."""

from __future__ import annotations

import hmac
import uuid

import structlog

from veza.auth import repository, totp
from veza.auth.context import AuthContext
from veza.auth.credentials import password_matches
from veza.auth.schemas import (
    MessageResponse,
    SetupTwoFactorResponse,
    TwoFactorStatus,
    VerifyTwoFactorRequest,
)
from veza.auth.service import (
    AUDIT_2FA_DISABLED,
    AUDIT_2FA_ENABLED,
    audit,
    open_two_factor_secret,
    seal_two_factor_secret,
)
from veza.kit.errors import (
    BadRequest,
)
from veza.kit.opaque_tokens import digest
from veza.models import User, utcnow

log = structlog.get_logger("veza.auth")


# --- two-factor authentication --------------------------------------------------------------


async def _end_other_sessions(ctx: AuthContext, user: User, session_id: uuid.UUID) -> None:
    """After a 2FA change every other session ends, with its access and stream tokens (they
    name their session). token_version stays: the caller's own tokens keep working."""
    await repository.revoke_user_sessions(ctx.session, user.id, utcnow(), keep=session_id)


async def setup_two_factor(ctx: AuthContext, user: User) -> SetupTwoFactorResponse:
    if user.two_factor_enabled:
        raise BadRequest(
            "Two-factor authentication is already enabled", code="TWO_FACTOR_ALREADY_ENABLED"
        )
    secret = totp.new_secret()
    user.two_factor_pending_secret = seal_two_factor_secret(ctx, user, secret)
    codes = totp.new_recovery_codes()
    await repository.replace_recovery_codes(
        ctx.session, user.id, [digest(totp.normalise_recovery_code(c)) for c in codes]
    )
    uri = totp.provisioning_uri(
        secret, account=user.email, issuer=ctx.settings.auth.two_factor_issuer
    )
    return SetupTwoFactorResponse(
        secret=secret,
        qr_code_url=totp.qr_code_data_url(uri),
        recovery_codes=codes,
        otpauth_url=uri,
    )


async def verify_two_factor(
    ctx: AuthContext, user: User, session_id: uuid.UUID, body: VerifyTwoFactorRequest
) -> MessageResponse:
    if user.two_factor_enabled:
        raise BadRequest(
            "Two-factor authentication is already enabled", code="TWO_FACTOR_ALREADY_ENABLED"
        )
    opened = open_two_factor_secret(ctx, user, user.two_factor_pending_secret)
    pending = opened[0] if opened is not None else None
    if pending is None or not hmac.compare_digest(
        body.secret.strip().upper().encode(), pending.encode()
    ):
        raise BadRequest(
            "Start the setup again: this secret was not issued", code="INVALID_TWO_FACTOR_SECRET"
        )
    step = totp.matching_step(pending, body.code)
    if step is None:
        raise BadRequest("Invalid two-factor code", code="INVALID_TWO_FACTOR_CODE")
    if not await repository.advance_totp_step(ctx.session, user, step):
        raise BadRequest("Invalid two-factor code", code="INVALID_TWO_FACTOR_CODE")
    user.two_factor_enabled = True
    user.two_factor_secret = seal_two_factor_secret(ctx, user, pending)
    user.two_factor_pending_secret = None
    user.two_factor_enabled_at = utcnow()
    await _end_other_sessions(ctx, user, session_id)
    await audit(ctx, AUDIT_2FA_ENABLED, user.id)
    return MessageResponse(message="Two-factor authentication enabled")


async def disable_two_factor(
    ctx: AuthContext, user: User, session_id: uuid.UUID, password: str
) -> MessageResponse:
    if not user.two_factor_enabled:
        raise BadRequest("Two-factor authentication is not enabled", code="TWO_FACTOR_NOT_ENABLED")
    if not await password_matches(ctx.session, user, password):
        raise BadRequest("Invalid password", code="INVALID_PASSWORD")
    user.two_factor_enabled = False
    user.two_factor_secret = None
    user.two_factor_pending_secret = None
    user.two_factor_enabled_at = None
    user.two_factor_last_step = None
    await repository.delete_recovery_codes(ctx.session, user.id)
    await _end_other_sessions(ctx, user, session_id)
    await audit(ctx, AUDIT_2FA_DISABLED, user.id)
    return MessageResponse(message="Two-factor authentication disabled")


def two_factor_status(user: User) -> TwoFactorStatus:
    return TwoFactorStatus(enabled=user.two_factor_enabled)
