"""The statements of a login, built once at import so SQLAlchemy compiles each shape once and
reuses it (login.py says what each one decides). Core statements on the tables: no ORM unit of
work runs on a login's usual path."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Column, Table, bindparam, false, func, insert, select, true, update
from sqlalchemy.sql.elements import BindParameter

from veza.audit import service as audit_service
from veza.models import AuditLog, AuthSession, RefreshToken, User

_users = cast("Table", User.__table__)
_sessions = cast("Table", AuthSession.__table__)
_refresh_tokens = cast("Table", RefreshToken.__table__)
_audit_logs = cast("Table", AuditLog.__table__)

# The account of an email, whatever its case (the unique index is on lower(email)).
ACCOUNT_BY_EMAIL = select(
    _users.c.id,
    _users.c.password_hash,
    _users.c.is_active,
    _users.c.is_banned,
    _users.c.is_verified,
    _users.c.two_factor_enabled,
).where(func.lower(_users.c.email) == bindparam("email"), _users.c.deleted_at.is_(None))


def _record_login(verified_only: bool) -> Any:
    """The login counted, when the account is still as it was when its password was verified:
    the same hash, live, active, not banned, no 2FA (and verified, if that is required)."""
    conditions = [
        _users.c.id == bindparam("user_id"),
        _users.c.password_hash == bindparam("verified_hash"),
        _users.c.deleted_at.is_(None),
        _users.c.is_active.is_(true()),
        _users.c.is_banned.is_(false()),
        _users.c.two_factor_enabled.is_(false()),
    ]
    if verified_only:
        conditions.append(_users.c.is_verified.is_(true()))
    return (
        update(_users)
        .where(*conditions)
        .values(
            login_count=_users.c.login_count + 1,
            last_login_at=bindparam("now"),
            # Named, not left to the column's onupdate: a CTE's UPDATE does not get it filled.
            updated_at=bindparam("now"),
            # The verified hash again, or its replacement made with the current parameters.
            password_hash=bindparam("new_hash"),
        )
        .returning(_users.c.id, _users.c.email, _users.c.username, _users.c.token_version)
    )


_SESSION_COLUMNS: tuple[str, ...] = ("id", "user_id", "remember_me", "ip_address", "user_agent")
_SESSION_COLUMNS += ("created_at", "last_used_at", "expires_at")
_TOKEN_COLUMNS = ("id", "user_id", "family_id", "token_hash", "created_at", "expires_at")
_AUDIT_COLUMNS: tuple[str, ...] = ("id", "user_id", "action", "resource", "resource_id")
_AUDIT_COLUMNS += ("ip_address", "user_agent", "details", "created_at")


def _param(prefix: str, column: Column[Any]) -> BindParameter[Any]:
    return bindparam(f"{prefix}_{column.name}", type_=column.type)


def _record_login_in_one(verified_only: bool) -> Any:
    """PostgreSQL: the login counted and, only if it was, the session, its refresh token and
    the audit row inserted, in one statement (data-modifying CTEs): one round trip, atomic
    without a transaction around it."""
    account = _record_login(verified_only).cte("account")
    inserts = []
    for table, prefix, columns in (
        (_sessions, "session", _SESSION_COLUMNS),
        (_refresh_tokens, "token", _TOKEN_COLUMNS),
        (_audit_logs, "audit", _AUDIT_COLUMNS),
    ):
        values = [_param(prefix, table.c[name]) for name in columns]
        rows = select(*values).select_from(account)
        inserts.append(insert(table).from_select(list(columns), rows).cte(f"new_{prefix}"))
    return select(*account.c).add_cte(*inserts)


# By settings.auth.require_verified_email.
RECORD_LOGIN = {flag: _record_login(flag) for flag in (False, True)}
RECORD_LOGIN_IN_ONE = {flag: _record_login_in_one(flag) for flag in (False, True)}
INSERT_SESSION = insert(_sessions)
INSERT_REFRESH_TOKEN = insert(_refresh_tokens)
INSERT_AUDIT = insert(_audit_logs)


@dataclass(frozen=True)
class LoginRows:
    """The rows a successful login inserts, as column values."""

    session: dict[str, Any]
    refresh_token: dict[str, Any]
    audit: dict[str, Any]

    def prefixed(self) -> dict[str, Any]:
        """The three rows as RECORD_LOGIN_IN_ONE's parameters."""
        params: dict[str, Any] = {}
        for prefix, row in (("session", self.session), ("token", self.refresh_token)):
            params.update({f"{prefix}_{name}": value for name, value in row.items()})
        params.update({f"audit_{name}": value for name, value in self.audit.items()})
        return params


def login_rows(
    user_id: uuid.UUID,
    *,
    remember_me: bool,
    ip_address: str | None,
    user_agent: str | None,
    refresh_token_hash: str,
    now: datetime,
    expires_at: datetime,
    audit_action: str,
    audit_details: dict[str, Any],
) -> LoginRows:
    session_id = uuid.uuid4()
    session = {
        "id": session_id,
        "user_id": user_id,
        "remember_me": remember_me,
        "ip_address": ip_address,
        "user_agent": user_agent,
        "created_at": now,
        "last_used_at": now,
        "expires_at": expires_at,
    }
    token = {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "family_id": session_id,
        "token_hash": refresh_token_hash,
        "created_at": now,
        "expires_at": expires_at,
    }
    audit = audit_service.row_values(
        audit_action,
        user_id=user_id,
        resource="user",
        resource_id=user_id,
        ip_address=ip_address,
        user_agent=user_agent,
        details=audit_details,
    )
    audit.update(id=uuid.uuid4(), created_at=now)
    return LoginRows(session, token, audit)
