"""Login: the password checked with no transaction open (credentials.py says why), then the
writes, as few and as cheap as they can be.

A login is the one auth request made again and again, and each costs an argon2id hash; what
it spends above the hash is kept small. Its statements are Core statements built once
(login_statements.py), so SQLAlchemy compiles each shape once and reuses it, and no ORM unit
of work runs:

- the account is read as a row of the columns the decision needs;
- the login is recorded by one ``UPDATE ... RETURNING`` whose ``WHERE`` holds the password
  hash that was verified and every condition the decision was made on (active, not banned,
  verified if required, no 2FA). It is the account's re-read at write time: a row that
  changed meanwhile (a new password, a ban, 2FA enabled, a deletion) matches nothing;
- the session, its first refresh token and the audit row are inserted only if it matched:
  on PostgreSQL in the same statement (data-modifying CTEs, run in autocommit: one round
  trip for all the writes), on SQLite as three Core inserts in the writing transaction.

Whatever the fast path cannot decide on its own (a 2FA login, an account refused, a row that
changed since it was read) takes the careful path: the account as it is now, read through
the ORM in the writing transaction, and the rules applied to it.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Row

from veza.auth import login_statements as statements
from veza.auth import repository, totp
from veza.auth.context import AuthContext
from veza.auth.credentials import end_reads, no_account_check, reads_before_hashing
from veza.auth.schemas import LoginRequest, LoginResponse, UserResponse
from veza.auth.service import (
    AUDIT_LOGIN,
    AUDIT_LOGIN_FAILED,
    audit,
    open_two_factor_secret,
    seal_two_factor_secret,
    user_response,
)
from veza.auth.sessions import IssuedTokens, issued_for, open_session, refresh_ttl
from veza.kit.errors import Forbidden, KeepChanges, Unauthorized
from veza.kit.opaque_tokens import digest, new_opaque_token
from veza.kit.passwords import hash_password, needs_rehash, verify_password
from veza.models import User, utcnow


@dataclass(frozen=True)
class LoginOutcome:
    body: LoginResponse
    tokens: IssuedTokens | None


def _account_key(email: str) -> str:
    return email.strip().lower()


async def _check_login_limits(ctx: AuthContext, email: str) -> None:
    limits = ctx.settings.rate_limit
    await ctx.limiter.check(limits.login_failures_per_account, "login", _account_key(email))
    if ctx.ip_address:
        await ctx.limiter.check(limits.login_failures_per_ip, "login-ip", ctx.ip_address)


async def _login_failed(
    ctx: AuthContext, email: str, user_id: uuid.UUID | None, reason: str, error: Unauthorized
) -> KeepChanges:
    """Count the failure against the account and the IP, audit it, and refuse."""
    limits = ctx.settings.rate_limit
    await ctx.limiter.hit(limits.login_failures_per_account, "login", _account_key(email))
    if ctx.ip_address:
        await ctx.limiter.hit(limits.login_failures_per_ip, "login-ip", ctx.ip_address)
    # The attempted email is not stored for unknown accounts: people type passwords there.
    await audit(ctx, AUDIT_LOGIN_FAILED, user_id, details={"reason": reason})
    return KeepChanges(error)


def _invalid_credentials() -> Unauthorized:
    return Unauthorized("Invalid email or password", code="INVALID_CREDENTIALS")


async def login(ctx: AuthContext, body: LoginRequest) -> LoginOutcome:
    await _check_login_limits(ctx, body.email)
    await reads_before_hashing(ctx.session)
    reads = await ctx.session.connection()
    found = await reads.execute(statements.ACCOUNT_BY_EMAIL, {"email": _account_key(body.email)})
    account = found.first()
    if account is None:
        await no_account_check(ctx.session, body.password)
        raise await _login_failed(ctx, body.email, None, "unknown_account", _invalid_credentials())
    verified_hash: str = account.password_hash
    await end_reads(ctx.session)
    if not await verify_password(verified_hash, body.password):
        raise await _login_failed(
            ctx, body.email, account.id, "wrong_password", _invalid_credentials()
        )
    new_hash = verified_hash
    if needs_rehash(verified_hash):  # hashing parameters changed since
        new_hash = await hash_password(body.password)
    if _nothing_to_refuse(ctx, account):
        outcome = await _record_login(ctx, body, account.id, verified_hash, new_hash)
        if outcome is not None:
            return outcome
    return await _login_as_the_account_is_now(ctx, body, account.id, verified_hash, new_hash)


def _nothing_to_refuse(ctx: AuthContext, account: Any) -> bool:
    """Whether the account as first read logs in with its password alone."""
    return (
        account.is_active
        and not account.is_banned
        and not account.two_factor_enabled
        and (account.is_verified or not ctx.settings.auth.require_verified_email)
    )


async def _record_login(
    ctx: AuthContext, body: LoginRequest, user_id: uuid.UUID, verified_hash: str, new_hash: str
) -> LoginOutcome | None:
    """The login, when the account is still as it was read; None when it has changed."""
    now = utcnow()
    remember_me = bool(body.remember_me)
    ttl = refresh_ttl(ctx, remember_me)
    refresh = new_opaque_token()
    rows = statements.login_rows(
        user_id,
        remember_me=remember_me,
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        refresh_token_hash=digest(refresh),
        now=now,
        expires_at=now + timedelta(seconds=ttl),
        audit_action=AUDIT_LOGIN,
        audit_details={"two_factor": False, "remember_me": remember_me},
    )
    check = {"user_id": user_id, "verified_hash": verified_hash, "new_hash": new_hash, "now": now}
    verified_only = ctx.settings.auth.require_verified_email
    if ctx.session.get_bind().dialect.name == "postgresql":
        user = await _write_in_one_statement(ctx, verified_only, check, rows)
    else:
        user = await _write_in_the_transaction(ctx, verified_only, check, rows)
    if user is None:
        return None
    await ctx.limiter.reset(
        ctx.settings.rate_limit.login_failures_per_account, "login", _account_key(body.email)
    )
    tokens = issued_for(ctx, user.id, user.token_version, rows.session["id"], remember_me, refresh)
    answer = UserResponse(id=user.id, email=user.email, username=user.username)
    return LoginOutcome(
        LoginResponse(requires_2fa=False, token=tokens.response(), user=answer), tokens
    )


async def _write_in_one_statement(
    ctx: AuthContext, verified_only: bool, check: dict[str, Any], rows: statements.LoginRows
) -> Row[Any] | None:
    """PostgreSQL: one atomic statement in autocommit, no BEGIN and no COMMIT around it. When
    it matched no row nothing was written, and the connection is let go, so the careful path
    that follows runs in a transaction of its own."""
    writes = await ctx.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    statement = statements.RECORD_LOGIN_IN_ONE[verified_only]
    user = (await writes.execute(statement, {**check, **rows.prefixed()})).first()
    if user is None:
        await end_reads(ctx.session)
    return user


async def _write_in_the_transaction(
    ctx: AuthContext, verified_only: bool, check: dict[str, Any], rows: statements.LoginRows
) -> Row[Any] | None:
    """SQLite (no data-modifying CTEs): the UPDATE, then the inserts if it matched, in the
    request's writing transaction."""
    writes = await ctx.session.connection()
    user = (await writes.execute(statements.RECORD_LOGIN[verified_only], check)).first()
    if user is not None:
        await writes.execute(statements.INSERT_SESSION, rows.session)
        await writes.execute(statements.INSERT_REFRESH_TOKEN, rows.refresh_token)
        await writes.execute(statements.INSERT_AUDIT, rows.audit)
    return user


async def _login_as_the_account_is_now(
    ctx: AuthContext, body: LoginRequest, user_id: uuid.UUID, verified_hash: str, new_hash: str
) -> LoginOutcome:
    """The rules applied to the account as it is in the writing transaction: a password
    changed (or an account deleted) since the hash was verified does not log in."""
    user = await ctx.session.get(User, user_id, populate_existing=True)
    if user is None or not hmac.compare_digest(user.password_hash.encode(), verified_hash.encode()):
        raise await _login_failed(
            ctx, body.email, user_id, "wrong_password", _invalid_credentials()
        )
    if new_hash != verified_hash:
        user.password_hash = new_hash
    if not user.is_active or user.is_banned:
        raise Forbidden("This account is disabled", code="ACCOUNT_DISABLED")
    if ctx.settings.auth.require_verified_email and not user.is_verified:
        raise Forbidden("Confirm your email address before logging in", code="EMAIL_NOT_VERIFIED")
    if user.two_factor_enabled:
        if not body.two_factor_code:
            return LoginOutcome(LoginResponse(requires_2fa=True, user=user_response(user)), None)
        if not await _second_factor_ok(ctx, user, body.two_factor_code):
            error = Unauthorized("Invalid two-factor code", code="INVALID_TWO_FACTOR_CODE")
            raise await _login_failed(ctx, body.email, user.id, "wrong_2fa_code", error)

    await ctx.limiter.reset(
        ctx.settings.rate_limit.login_failures_per_account, "login", _account_key(body.email)
    )
    tokens = open_session(ctx, user, bool(body.remember_me))
    await repository.record_login(ctx.session, user, utcnow())
    await audit(
        ctx,
        AUDIT_LOGIN,
        user.id,
        details={"two_factor": user.two_factor_enabled, "remember_me": bool(body.remember_me)},
    )
    return LoginOutcome(
        LoginResponse(requires_2fa=False, token=tokens.response(), user=user_response(user)),
        tokens,
    )


async def _second_factor_ok(ctx: AuthContext, user: User, code: str) -> bool:
    """A TOTP code newer than the last one used, or an unused recovery code (then spent)."""
    code = code.strip()
    if totp.is_totp_shaped(code.replace(" ", "")):
        opened = open_two_factor_secret(ctx, user, user.two_factor_secret)
        if opened is None:
            return False
        secret, current = opened
        step = totp.matching_step(secret, code, after_step=user.two_factor_last_step)
        if step is None or not await repository.advance_totp_step(ctx.session, user, step):
            return False
        if not current:  # stored in clear (from before sealing) or with an older key
            user.two_factor_secret = seal_two_factor_secret(ctx, user, secret)
        return True
    code_hash = digest(totp.normalise_recovery_code(code))
    return await repository.consume_recovery_code(ctx.session, user.id, code_hash, utcnow())
