"""Login verifies the password with no transaction open, then writes: an account changed while
the hash ran (a new password, a ban, 2FA enabled, a deletion) is judged as it is now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.auth.conftest import audit_actions, fetch_user, login
from tests.factories import create_user, set_user_fields
from veza.auth import login as login_module
from veza.kit.passwords import hash_password_sync, verify_password
from veza.models import AuthSession, User, utcnow


def change_while_verifying(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, user: User, **values: Any
) -> Callable[[], int]:
    """Set ``values`` on the account while login verifies its password; how many times."""
    calls = [0]

    async def verify_then_change(stored: str, password: str) -> bool:
        matches = await verify_password(stored, password)
        calls[0] += 1
        await set_user_fields(app, user.id, **values)
        return matches

    monkeypatch.setattr(login_module, "verify_password", verify_then_change)
    return lambda: calls[0]


async def sessions_of(app: FastAPI, user: User) -> int:
    async with app.state.db.reader() as session:
        statement = select(func.count()).where(AuthSession.user_id == user.id)
        return int((await session.execute(statement)).scalar_one())


async def test_a_password_changed_during_the_check_does_not_log_in(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await create_user(app)
    new_hash = hash_password_sync("another password entirely")
    calls = change_while_verifying(app, monkeypatch, user, password_hash=new_hash)
    response = await login(client, user.email)
    assert calls() == 1
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"
    after = await fetch_user(app, user.id)
    assert after.password_hash == new_hash and after.login_count == 0
    assert await sessions_of(app, user) == 0
    assert await audit_actions(app, user.id) == ["auth.login_failed"]


async def test_an_account_banned_during_the_check_is_refused(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await create_user(app)
    change_while_verifying(app, monkeypatch, user, is_banned=True)
    response = await login(client, user.email)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ACCOUNT_DISABLED"
    assert (await fetch_user(app, user.id)).login_count == 0
    assert await sessions_of(app, user) == 0


async def test_two_factor_enabled_during_the_check_asks_for_a_code(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await create_user(app)
    change_while_verifying(app, monkeypatch, user, two_factor_enabled=True)
    response = await login(client, user.email)
    assert response.status_code == 200
    assert response.json()["requires_2fa"] is True and "token" not in response.json()
    assert "set-cookie" not in response.headers
    assert (await fetch_user(app, user.id)).login_count == 0
    assert await sessions_of(app, user) == 0


async def test_an_account_deleted_during_the_check_does_not_log_in(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await create_user(app)
    change_while_verifying(app, monkeypatch, user, password_hash="!deleted", deleted_at=utcnow())
    response = await login(client, user.email)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert await sessions_of(app, user) == 0


async def test_a_change_no_rule_looks_at_still_logs_in(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await create_user(app)
    calls = change_while_verifying(app, monkeypatch, user, first_name="Ada")  # not a rule
    response = await login(client, user.email, remember_me=True)
    assert calls() == 1 and response.status_code == 200
    assert (await fetch_user(app, user.id)).login_count == 1
    assert await sessions_of(app, user) == 1
    assert await audit_actions(app, user.id) == ["auth.login"]
