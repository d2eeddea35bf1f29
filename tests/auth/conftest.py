"""Helpers of the accounts tests: the mail outbox, registration and login through the API."""

from __future__ import annotations

import email
import re
import uuid
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import PASSWORD, create_user
from veza.config import Settings
from veza.models import AuditLog, User

API = "/api/v1"
STRONG_PASSWORD = "violet-otter-mountain-42"
_TOKEN_IN_LINK = re.compile(r"[?&]token=([A-Za-z0-9_\-]+)")


def outbox(settings: Settings) -> list[Message]:
    """Mails written by the outbox mailer, oldest first."""
    directory: Path = settings.mail_dir
    if not directory.exists():
        return []
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(directory.glob("*.eml"))]


def mail_text(message: Message) -> str:
    part = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else None
    payload = (part or message).get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def token_from_mail(message: Message) -> str:
    match = _TOKEN_IN_LINK.search(mail_text(message))
    assert match, "no link with a token in the mail"
    return match.group(1)


def last_token_for(settings: Settings, address: str, subject_part: str) -> str:
    mails = [
        m
        for m in outbox(settings)
        if m["To"] == address and subject_part.lower() in str(m["Subject"]).lower()
    ]
    assert mails, f"no mail about {subject_part!r} to {address}"
    return token_from_mail(mails[-1])


async def register(
    client: httpx.AsyncClient,
    email_address: str,
    password: str = STRONG_PASSWORD,
    **fields: Any,
) -> httpx.Response:
    body = {"email": email_address, "password": password, "password_confirmation": password}
    body.update(fields)
    return await client.post(f"{API}/auth/register", json=body)


async def login(
    client: httpx.AsyncClient, email_address: str, password: str = PASSWORD, **fields: Any
) -> httpx.Response:
    return await client.post(
        f"{API}/auth/login", json={"email": email_address, "password": password, **fields}
    )


async def login_tokens(
    client: httpx.AsyncClient, email_address: str, password: str = PASSWORD, **fields: Any
) -> dict[str, Any]:
    response = await login(client, email_address, password, **fields)
    assert response.status_code == 200, response.text
    token: dict[str, Any] = response.json()["token"]
    return token


def client_from(app: FastAPI, ip: str) -> httpx.AsyncClient:
    """A client of ``app`` whose requests come from the address ``ip``."""
    transport = httpx.ASGITransport(app=app, client=(ip, 4000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def audit_actions(app: FastAPI, user_id: Any = None) -> list[str]:
    async with app.state.db.reader() as session:
        statement = select(AuditLog.action).order_by(AuditLog.created_at)
        if user_id is not None:
            statement = statement.where(AuditLog.user_id == user_id)
        return list((await session.execute(statement)).scalars())


async def fetch_user(app: FastAPI, user_id: Any) -> User:
    async with app.state.db.reader() as session:
        user = await session.get(User, uuid.UUID(str(user_id)))
        assert user is not None
        return user


@pytest.fixture
async def user(app: FastAPI) -> User:
    """A verified account whose password is tests.factories.PASSWORD."""
    return await create_user(app)
