"""Rules of accounts and sessions: registration and verification, refresh and logout, and the
helpers the other auth modules share (login.py, two_factor.py, account.py). Sessions and their
tokens are made in sessions.py, passwords hashed and checked in credentials.py. Services
flush, never commit (credentials.py ends the reads before argon2 runs); mails go after commit.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.auth import mails, repository, totp
from veza.auth.context import AuthContext
from veza.auth.credentials import (
    new_password_hash,
)
from veza.auth.passwords import password_problem
from veza.auth.schemas import (
    MessageResponse,
    RegisterRequest,
    RegisterResponse,
    UserResponse,
)
from veza.auth.sessions import (
    IssuedTokens,
    invalid_refresh,
    issued,
    live_session,
    new_refresh_token,
    refresh_ttl,
    successor_of,
)
from veza.kit.db import after_commit, write_transaction
from veza.kit.encryption import SecretBox, Undecryptable
from veza.kit.errors import (
    BadRequest,
    Conflict,
    KeepChanges,
    Unauthorized,
    ValidationFailed,
)
from veza.kit.mail import Mail
from veza.kit.opaque_tokens import digest, new_opaque_token
from veza.models import OneTimeToken, RefreshToken, User, utcnow
from veza.models.auth import VERIFY_EMAIL_PURPOSE

log = structlog.get_logger("veza.auth")

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")
VERIFY_EMAIL_TTL = timedelta(hours=24)
PASSWORD_RESET_TTL = timedelta(hours=1)
DELETE_CONFIRMATION = "DELETE"

# Audit actions written by this domain.
AUDIT_REGISTER = "user.register"
AUDIT_EMAIL_VERIFIED = "user.email_verified"
AUDIT_LOGIN = "auth.login"
AUDIT_LOGIN_FAILED = "auth.login_failed"
AUDIT_REFRESH_REUSE = "auth.refresh_token_reuse"
AUDIT_LOGOUT = "auth.logout"
AUDIT_PASSWORD_RESET = "auth.password_reset"
AUDIT_2FA_ENABLED = "auth.2fa_enabled"
AUDIT_2FA_DISABLED = "auth.2fa_disabled"
AUDIT_ACCOUNT_DELETED = "user.deleted"
AUDIT_PRIVACY_OPT_OUT = "user.privacy_opt_out"

_GENERIC_RESEND_MESSAGE = (
    "If an account with this address is waiting for verification, a new link has been sent."
)
GENERIC_RESET_MESSAGE = "If an account with this address exists, a reset link has been sent."


async def audit(
    ctx: AuthContext,
    action: str,
    user_id: uuid.UUID | None,
    *,
    resource: str = "user",
    resource_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """An audit row about ``user_id`` (the resource itself unless another is named)."""
    await record(
        ctx.session,
        action,
        user_id=user_id,
        resource=resource,
        resource_id=resource_id or user_id,
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        details=details,
    )


def user_response(user: User) -> UserResponse:
    return UserResponse(id=user.id, email=user.email, username=user.username)


def send_after_commit(ctx: AuthContext, mail: Mail) -> None:
    after_commit(ctx.session, partial(ctx.mailer.send, mail))


def after_response(ctx: AuthContext, work: Callable[[AuthContext], Awaitable[None]]) -> None:
    """Run ``work`` once the response has been sent, in a write transaction of its own (its
    ``after_commit`` callbacks, mails, run when that one commits).

    For answers that must not depend on whether an account exists: the request does the same
    thing for every address, and what only a real account needs costs the client nothing.
    """

    async def run() -> None:
        try:
            async with write_transaction(ctx.database) as session:
                await work(replace(ctx, session=session))
        except Exception:
            # The client already has its answer; a failure is for the log only.
            log.exception("after_response_failed", work=getattr(work, "__name__", repr(work)))

    ctx.run_after_response(run)


def _two_factor_box(ctx: AuthContext) -> SecretBox:
    return totp.secret_box(
        ctx.settings.auth.two_factor_encryption_key.get_secret_value(), ctx.tokens.secret
    )


def seal_two_factor_secret(ctx: AuthContext, user: User, secret: str) -> str:
    """The form in which a TOTP secret of ``user`` is stored (sealed with the current key)."""
    return totp.seal_secret(_two_factor_box(ctx), user.id, secret)


def open_two_factor_secret(
    ctx: AuthContext, user: User, stored: str | None
) -> tuple[str, bool] | None:
    """The TOTP secret behind ``stored`` and whether that form is current; None when there is
    none, or when it cannot be opened (the key it was sealed with is gone)."""
    if stored is None:
        return None
    try:
        return totp.open_secret(_two_factor_box(ctx), user.id, stored)
    except Undecryptable:
        log.error("two_factor_secret_unreadable", user_id=str(user.id))
        return None


# --- input rules ----------------------------------------------------------------------------


def normalise_email(email: str, field: str = "email") -> str:
    """Syntax checked, domain lowercased and IDNA-normalised; 400 when it is not an address."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed.field(field, "is not a valid email address", email) from exc


def check_username_format(username: str, field: str = "username") -> str:
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationFailed.field(
            field, "must be 3 to 50 letters, digits, underscores, dots or hyphens", username
        )
    return username


def check_password(password: str, *, field: str, email: str = "", username: str = "") -> None:
    problem = password_problem(password, email=email, username=username)
    if problem is not None:
        raise ValidationFailed.field(field, f"Password {problem}", "[redacted]")


async def _derive_username(session: AsyncSession, email: str) -> str:
    """A free username made from the email's local part (the contract makes it optional)."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "", email.split("@")[0])[:40] or "user"
    if len(base) < 3:
        base = f"{base}_user"
    candidate = base
    while await repository.username_exists(session, candidate):
        candidate = f"{base}{secrets.randbelow(1_000_000):06d}"
    return candidate


# --- registration and verification ----------------------------------------------------------


async def register(ctx: AuthContext, body: RegisterRequest) -> RegisterResponse:
    """Checks, the rate limit, availability (read without the write lock), the hash, and only
    then the writing transaction, which inserts and nothing else: a burst of sign-ups holds
    SQLite's one write lock as briefly as it can (credentials.py says why that matters)."""
    email = normalise_email(body.email)
    if body.username is not None:
        check_username_format(body.username)
    if not hmac.compare_digest(
        body.password.encode("utf-8"), body.password_confirmation.encode("utf-8")
    ):
        raise ValidationFailed.field(
            "password_confirmation", "does not match the password", "[redacted]"
        )
    check_password(body.password, field="password", email=email, username=body.username or "")
    if ctx.ip_address:
        await ctx.limiter.consume(
            ctx.settings.rate_limit.registrations_per_ip, "register-ip", ctx.ip_address
        )
    # A read-only transaction of its own: on SQLite it takes no write lock. The unique indexes
    # still decide between two concurrent registrations (the IntegrityError below).
    async with ctx.database.reader() as reads:
        if await repository.email_exists(reads, email):
            raise Conflict("An account with this email already exists", code="EMAIL_TAKEN")
        if body.username is not None and await repository.username_exists(reads, body.username):
            raise Conflict("This username is taken", code="USERNAME_TAKEN")
        username = body.username or await _derive_username(reads, email)
    password_hash = await new_password_hash(ctx.session, body.password)

    user = User(
        email=email,
        username=username,
        password_hash=password_hash,
        is_verified=False,
        password_changed_at=utcnow(),
    )
    ctx.session.add(user)
    try:
        await ctx.session.flush()
    except IntegrityError as exc:  # a concurrent registration took the email or username
        raise Conflict("An account with this email or username already exists") from exc

    await _issue_verification(ctx, user, new_account=True)
    await audit(ctx, AUDIT_REGISTER, user.id)
    return RegisterResponse(
        message="Account created. Check your mailbox to confirm your email address.",
        user=user_response(user),
        verification_required=ctx.settings.auth.require_verified_email,
    )


async def issue_one_time_token(
    ctx: AuthContext, user: User, purpose: str, ttl: timedelta, *, new_account: bool = False
) -> str:
    """A mailed token; the user's older ones of this purpose stop working (a new account has
    none, and skips that statement)."""
    now = utcnow()
    if not new_account:
        await repository.retire_one_time_tokens(ctx.session, user.id, purpose, now)
    token = new_opaque_token()
    ctx.session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


async def _issue_verification(ctx: AuthContext, user: User, *, new_account: bool = False) -> None:
    token = await issue_one_time_token(
        ctx, user, VERIFY_EMAIL_PURPOSE, VERIFY_EMAIL_TTL, new_account=new_account
    )
    send_after_commit(ctx, mails.verification_mail(ctx.settings, user.email, user.username, token))


async def mail_allowed(ctx: AuthContext, email: str) -> bool:
    """At most a few mails per address and hour; beyond that, requests send nothing."""
    rule = ctx.settings.rate_limit.mails_per_address
    return await ctx.limiter.hit(rule, "mail", email.lower())


async def verify_email(
    ctx: AuthContext, header_token: str | None, query_token: str | None
) -> MessageResponse:
    token = header_token or query_token
    if not token:
        raise ValidationFailed.field("X-Verify-Token", "field required")
    if not header_token:
        # Tokens in URLs leak through Referer headers and proxy logs; the header is preferred.
        log.warning("verify_email_token_in_query_deprecated")
    now = utcnow()
    user_id = await repository.consume_one_time_token(
        ctx.session, digest(token), VERIFY_EMAIL_PURPOSE, now
    )
    user = await ctx.session.get(User, user_id) if user_id else None
    if user is None or user.deleted_at is not None:
        raise BadRequest("Invalid or expired verification token", code="INVALID_VERIFY_TOKEN")
    if not user.is_verified:
        user.is_verified = True
        user.email_verified_at = now
        await audit(ctx, AUDIT_EMAIL_VERIFIED, user.id)
    return MessageResponse(message="Email verified")


async def resend_verification(ctx: AuthContext, email: str) -> MessageResponse:
    """The same answer, at the same cost, for every address: the lookup, the new link and the
    mail come after the response."""
    address = normalise_email(email)

    async def resend(later: AuthContext) -> None:
        user = await repository.user_by_email(later.session, address)
        if user is not None and not user.is_verified and await mail_allowed(later, address):
            await _issue_verification(later, user)

    after_response(ctx, resend)
    return MessageResponse(message=_GENERIC_RESEND_MESSAGE)


# --- refresh, logout -----------------------------------------------------------------------


async def refresh(ctx: AuthContext, presented: str | None) -> IssuedTokens:
    """Rotate a refresh token: the presented one is spent, its successor issued in the same
    family (session).

    The same token presented again within the grace window (two tabs refreshing at once) gets
    the successor already issued, while that one is still unspent. Any other presentation of
    a spent token means two parties hold it (theft, or a client bug): the whole family is
    revoked, so neither the thief nor the victim's copy works any more.
    """
    if not presented:
        raise ValidationFailed.field(
            "refresh_token", "required, in the body or in the refresh cookie"
        )
    now = utcnow()
    token_hash = digest(presented)
    token = await repository.consume_refresh_token(ctx.session, token_hash, now)
    if token is None:
        known = await repository.refresh_token_by_hash(ctx.session, token_hash)
        if known is None or known.used_at is None:  # unknown, expired or revoked unspent
            raise invalid_refresh()
        replay = await _replay_within_grace(ctx, known, presented, now)
        if replay is not None:
            return replay
        await repository.revoke_family(ctx.session, known.family_id, now)
        await audit(
            ctx, AUDIT_REFRESH_REUSE, known.user_id, resource="session", resource_id=known.family_id
        )
        raise KeepChanges(
            Unauthorized("Refresh token was already used", code="REFRESH_TOKEN_REUSED")
        )

    auth_session, user = await live_session(ctx, token)
    # Sliding lifetime: an active session stays open, an idle one ends after its TTL.
    auth_session.expires_at = now + timedelta(seconds=refresh_ttl(ctx, auth_session.remember_me))
    auth_session.last_used_at = now
    successor = new_refresh_token(ctx, user, auth_session, now, successor_of(ctx, presented))
    return issued(ctx, user, auth_session, successor)


async def _replay_within_grace(
    ctx: AuthContext, spent: RefreshToken, presented: str, now: datetime
) -> IssuedTokens | None:
    """The pair for a token spent less than the grace window ago whose successor is still
    unspent: the same refresh token, and an access token of the same session."""
    grace = timedelta(seconds=ctx.settings.auth.refresh_reuse_grace_seconds)
    if spent.revoked_at is not None or spent.used_at is None or now - spent.used_at > grace:
        return None
    successor = successor_of(ctx, presented)
    handed_out = await repository.refresh_token_by_hash(ctx.session, digest(successor))
    if (
        handed_out is None
        or handed_out.family_id != spent.family_id
        or handed_out.used_at is not None
        or handed_out.revoked_at is not None
        or handed_out.expires_at <= now
    ):
        return None
    auth_session, user = await live_session(ctx, handed_out)
    return issued(ctx, user, auth_session, successor)


async def logout(
    ctx: AuthContext, user: User, session_id: uuid.UUID, presented: str | None
) -> MessageResponse:
    now = utcnow()
    await repository.revoke_family(ctx.session, session_id, now)
    if presented:
        token = await repository.refresh_token_by_hash(ctx.session, digest(presented))
        if token is not None and token.user_id == user.id:
            await repository.revoke_family(ctx.session, token.family_id, now)
    await audit(ctx, AUDIT_LOGOUT, user.id, resource="session", resource_id=session_id)
    return MessageResponse(message="Logged out")
