"""Who a Subsonic request is: token+salt (or the plain ``p``) against the user's separate
Subsonic password, or an OpenSubsonic API key.

Subsonic's token is md5(password + salt): to check it the server must know the password, so the
Subsonic password is sealed (AES-GCM, kit/encryption.py), never hashed, and it is never the
account password (that one stays an argon2 hash). API keys are random and kept as digests; they
are the recommended way (docs/SUBSONIC.md). Every refusal of a username/password is the same
error 40, whether the user exists, has no Subsonic password or gave a wrong one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.encryption import SecretBox, Undecryptable, derive_key
from veza.kit.opaque_tokens import digest
from veza.models import User
from veza.models.library import SubsonicApiKey
from veza.subsonic import errors, repository

_PURPOSE = "veza/subsonic-passwords/v1"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


def password_box(encryption_key: str, signing_secret: str) -> SecretBox:
    derived = derive_key(signing_secret, _PURPOSE)
    if not encryption_key:
        return SecretBox([derived])
    return SecretBox([derive_key(encryption_key, _PURPOSE), derived])


def _context(user_id: uuid.UUID) -> bytes:
    return b"veza/subsonic/" + user_id.bytes


def _wrong() -> errors.SubsonicError:
    return errors.SubsonicError(errors.WRONG_CREDENTIALS, "Wrong username or password")


async def set_password(session: AsyncSession, box: SecretBox, user: User, password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValueError(
            f"a Subsonic password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    sealed = box.seal(password.encode("utf-8"), _context(user.id))
    await repository.replace_credential(session, user.id, sealed)


def generate_password() -> str:
    return secrets.token_urlsafe(18)


async def revoke_password(session: AsyncSession, user: User) -> bool:
    return await repository.delete_credential(session, user.id)


@dataclass(frozen=True)
class NewApiKey:
    id: uuid.UUID
    key: str  # shown once


async def create_api_key(session: AsyncSession, user: User, name: str) -> NewApiKey:
    key = "vz_" + secrets.token_urlsafe(32)
    row = SubsonicApiKey(id=uuid.uuid4(), user_id=user.id, key_hash=digest(key), name=name[:100])
    repository.add_api_key(session, row)
    await session.flush()
    return NewApiKey(row.id, key)


def _plain(given: str) -> str:
    """``p`` as sent: clear, or "enc:" followed by its UTF-8 bytes in hex."""
    if given.startswith("enc:"):
        try:
            return bytes.fromhex(given[4:]).decode("utf-8")
        except ValueError as exc:
            raise _wrong() from exc
    return given


async def authenticate(session: AsyncSession, box: SecretBox, params: Mapping[str, str]) -> User:
    api_key = params.get("apiKey")
    if api_key is not None:
        if any(name in params for name in ("u", "p", "t", "s")):
            raise errors.SubsonicError(
                errors.CONFLICTING_MECHANISMS, "Give either apiKey or a username, not both"
            )
        user = await repository.user_by_api_key(session, digest(api_key))
        if user is None:
            raise errors.SubsonicError(errors.INVALID_API_KEY, "Invalid API key")
        return user
    username = params.get("u")
    if not username:
        raise errors.missing("u")
    token, salt, plain = params.get("t"), params.get("s"), params.get("p")
    if token is None and plain is None:
        raise errors.missing("t")
    if token is not None and not salt:
        raise errors.missing("s")
    user = await repository.user_by_username(session, username)
    credential = None if user is None else await repository.credential_of(session, user.id)
    if user is None or credential is None:
        raise _wrong()
    try:
        password, _ = box.open(credential.sealed_password, _context(user.id))
    except Undecryptable as exc:
        raise _wrong() from exc
    if token is not None:
        expected = hashlib.md5(password + (salt or "").encode(), usedforsecurity=False)
        matches = hmac.compare_digest(expected.hexdigest(), token.lower())
    else:
        matches = hmac.compare_digest(password, _plain(plain or "").encode("utf-8"))
    if not matches:
        raise _wrong()
    return user
