"""Managing a user's Subsonic access (the `veza subsonic` commands): the Subsonic password,
sealed; API keys, shown once and kept as digests; revoking both."""

from __future__ import annotations

from dataclasses import dataclass

from veza.config import Settings
from veza.kit.db import Database, write_transaction
from veza.kit.encryption import SecretBox
from veza.kit.tokens import TokenCodec
from veza.subsonic import credentials, repository


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
