"""Managing Subsonic access: the `veza subsonic` commands (an operator, by username) and the
caller's own routes under /api/v1/subsonic. The Subsonic password is sealed; API keys are
shown once and kept as digests; both are revocable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from veza.config import Settings
from veza.kit.db import Database, write_transaction
from veza.kit.encryption import SecretBox
from veza.kit.errors import ValidationFailed
from veza.kit.passwords import verify_password
from veza.kit.tokens import TokenCodec
from veza.models import User
from veza.models.library import SubsonicApiKey
from veza.subsonic import credentials, repository, schemas
from veza.subsonic.errors import ApiKeyNotFound


class UnknownUser(LookupError):
    pass


def box_for(settings: Settings) -> SecretBox:
    return credentials.password_box(
        settings.subsonic.encryption_key.get_secret_value(),
        TokenCodec.from_settings(settings).secret,
    )


async def set_password(database: Database, box: SecretBox, username: str, password: str) -> None:
    async with write_transaction(database) as session:
        user = await repository.user_by_username(session, username)
        if user is None:
            raise UnknownUser(username)
        await credentials.set_password(session, box, user, password)


async def new_api_key(database: Database, username: str, name: str) -> str:
    async with write_transaction(database) as session:
        user = await repository.user_by_username(session, username)
        if user is None:
            raise UnknownUser(username)
        return (await credentials.create_api_key(session, user, name)).key


@dataclass(frozen=True)
class Revoked:
    password: bool
    api_keys: int


async def revoke(database: Database, username: str) -> Revoked:
    async with write_transaction(database) as session:
        user = await repository.user_by_username(session, username)
        if user is None:
            raise UnknownUser(username)
        password = await credentials.revoke_password(session, user)
        keys = await repository.api_keys_of(session, user.id)
        for key in keys:
            await repository.delete_api_key(session, user.id, key.id)
        return Revoked(password, len(keys))


# The caller's own Subsonic access (/api/v1/subsonic/...) -----------------------------------


async def _confirm_account_password(session: AsyncSession, user: User, given: str) -> None:
    """The account password guards new long-lived credentials (a stolen access token alone
    cannot mint one). The reads so far are committed first: no argon2 runs while SQLite's
    write lock is held (as auth.credentials does)."""
    password_hash = user.password_hash
    await session.commit()
    if not await verify_password(password_hash, given):
        raise ValidationFailed.field("current_password", "is not your account password")


def _key_view(key: SubsonicApiKey) -> schemas.ApiKeyView:
    return schemas.ApiKeyView(
        id=key.id, name=key.name, created_at=key.created_at, last_used_at=key.last_used_at
    )


async def access_of(session: AsyncSession, user: User) -> schemas.SubsonicAccess:
    has_password = await repository.credential_of(session, user.id) is not None
    keys = await repository.api_keys_of(session, user.id)
    return schemas.SubsonicAccess(has_password=has_password, api_keys=[_key_view(k) for k in keys])


async def set_own_password(
    session: AsyncSession, user: User, body: schemas.SetSubsonicPasswordRequest, *, box: SecretBox
) -> schemas.Message:
    await _confirm_account_password(session, user, body.current_password)
    if await verify_password(user.password_hash, body.password):
        raise ValidationFailed.field("password", "must not be your account password")
    await credentials.set_password(session, box, user, body.password)
    return schemas.Message(message="Subsonic password set")


async def revoke_own_password(session: AsyncSession, user: User) -> schemas.Message:
    await credentials.revoke_password(session, user)
    return schemas.Message(message="Subsonic password removed")


async def create_own_api_key(
    session: AsyncSession, user: User, body: schemas.CreateApiKeyRequest
) -> schemas.NewApiKeyData:
    await _confirm_account_password(session, user, body.current_password)
    made = await credentials.create_api_key(session, user, body.name)
    row = next(k for k in await repository.api_keys_of(session, user.id) if k.id == made.id)
    view = _key_view(row)
    return schemas.NewApiKeyData(api_key=schemas.NewApiKey(**view.model_dump(), key=made.key))


async def delete_own_api_key(
    session: AsyncSession, user: User, key_id: uuid.UUID
) -> schemas.Message:
    """Another user's key is not found, like one that does not exist."""
    if not await repository.delete_api_key(session, user.id, key_id):
        raise ApiKeyNotFound()
    return schemas.Message(message="Subsonic API key revoked")
