"""argon2 never runs inside a database transaction, so sign-ups and logins hold SQLite's one
write lock only for their few writes: a burst of them leaves other users' writes working."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import event

from tests.auth.conftest import (
    API,
    bearer,
    client_from,
    last_token_for,
    login,
    login_tokens,
    register,
)
from tests.factories import PASSWORD, create_user, member
from tests.helpers import follow
from veza.config import Settings
from veza.kit import passwords


class _WatchedHasher:
    """Delegates to the real hasher and notes how many transactions were open at each call."""

    def __init__(self, real: PasswordHasher, open_transactions: list[int]) -> None:
        self._real = real
        self._open = open_transactions
        self.calls: list[tuple[str, int]] = []

    def hash(self, password: str) -> str:
        self.calls.append(("hash", self._open[0]))
        return self._real.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append(("verify", self._open[0]))
        return self._real.verify(password_hash, password)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.fixture
def hasher(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[_WatchedHasher]:
    open_transactions = [0]
    engine = app.state.db.engine.sync_engine

    def began(_: Any) -> None:
        open_transactions[0] += 1

    def ended(_: Any) -> None:
        open_transactions[0] -= 1

    event.listen(engine, "begin", began)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    watched = _WatchedHasher(passwords.HASHER, open_transactions)
    monkeypatch.setattr(passwords, "HASHER", watched)
    yield watched
    event.remove(engine, "begin", began)
    event.remove(engine, "commit", ended)
    event.remove(engine, "rollback", ended)


def _outside_transactions(hasher: _WatchedHasher, *kinds: str) -> None:
    assert [kind for kind, _ in hasher.calls] == list(kinds)
    assert [open_count for _, open_count in hasher.calls] == [0] * len(kinds)
    hasher.calls.clear()


async def test_register_hashes_outside_any_transaction(
    client: httpx.AsyncClient, hasher: _WatchedHasher
) -> None:
    hasher.calls.clear()
    assert (await register(client, "newcomer@example.com")).status_code == 201
    _outside_transactions(hasher, "hash")


async def test_login_checks_and_rehashes_outside_any_transaction(
    app: FastAPI, client: httpx.AsyncClient, hasher: _WatchedHasher
) -> None:
    user = await create_user(app)
    hasher.calls.clear()
    assert (await login(client, user.email)).status_code == 200
    assert (await login(client, user.email, "not the password")).status_code == 401
    _outside_transactions(hasher, "verify", "verify")
    assert (await login(client, "nobody@example.com")).status_code == 401
    # (The first unknown email of the process also makes the dummy hash it is checked against.)
    assert hasher.calls[-1] == ("verify", 0) and all(n == 0 for _, n in hasher.calls)
    hasher.calls.clear()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    old = await create_user(app, password_hash=weak)
    hasher.calls.clear()
    assert (await login(client, old.email)).status_code == 200
    _outside_transactions(hasher, "verify", "hash")


async def test_password_reset_hashes_outside_any_transaction(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, hasher: _WatchedHasher
) -> None:
    user = await create_user(app)
    hasher.calls.clear()
    await client.post(f"{API}/auth/password/reset-request", json={"email": user.email})
    token = last_token_for(settings, user.email, "reset")
    reset = await client.post(
        f"{API}/auth/password/reset",
        json={"token": token, "new_password": "a brand new passphrase 7"},
    )
    assert reset.status_code == 200
    _outside_transactions(hasher, "hash")


async def test_2fa_disable_and_deletion_check_the_password_outside_any_transaction(
    app: FastAPI, client: httpx.AsyncClient, hasher: _WatchedHasher
) -> None:
    secret = pyotp.random_base32(32)
    user = await create_user(app, two_factor_enabled=True, two_factor_secret=secret)
    tokens = await login_tokens(client, user.email, two_factor_code=pyotp.TOTP(secret).now())
    hasher.calls.clear()
    headers = bearer(tokens["access_token"])
    disabled = await client.post(
        f"{API}/auth/2fa/disable", json={"password": PASSWORD}, headers=headers
    )
    assert disabled.status_code == 200
    deleted = await client.request(
        "DELETE",
        f"{API}/users/me",
        json={"password": PASSWORD, "confirm_text": "DELETE"},
        headers=headers,
    )
    assert deleted.status_code == 200
    _outside_transactions(hasher, "verify", "verify")


async def test_a_burst_of_signups_leaves_other_writers_working(app: FastAPI) -> None:
    """A hundred sign-ups at once from as many addresses, while others follow each other:
    with argon2 inside the write transactions, the followers' writes waited behind a hundred
    hashes, past SQLite's busy timeout (5 s), and failed with "database is locked"."""
    members = [await member(app) for _ in range(8)]
    pairs = [(a, b) for a in members for b in members if a is not b][:40]
    newcomers = [client_from(app, f"198.51.100.{n}") for n in range(1, 101)]
    try:
        async with client_from(app, "203.0.113.9") as follower:
            responses = await asyncio.gather(
                *(register(c, f"burst{n}@example.com") for n, c in enumerate(newcomers)),
                *(follow(follower, a, b) for a, b in pairs),
            )
    finally:
        for newcomer in newcomers:
            await newcomer.aclose()
    statuses = [response.status_code for response in responses]
    assert statuses == [201] * len(newcomers) + [200] * len(pairs)
