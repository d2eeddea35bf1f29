"""Keys derived from the server's secret material, and authenticated encryption of the small
secrets the database must keep readable (TOTP secrets): AES-256-GCM from `cryptography`.

One server secret gives independent keys, one per purpose (HKDF-SHA256 with the purpose as
its info), so a key used to seal data is never the key that signs tokens.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
# What sealing adds to the plaintext: the nonce in front, the GCM tag behind.
OVERHEAD_BYTES = NONCE_BYTES + 16


@lru_cache(maxsize=32)
def derive_key(secret: str, purpose: str) -> bytes:
    """A 256-bit key for ``purpose``, derived from a server secret."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode())
    return hkdf.derive(secret.encode("utf-8"))


class Undecryptable(ValueError):
    """Sealed with none of the keys at hand, or altered."""


class SecretBox:
    """Seals with the first key; opens with any, saying whether the first one was used (so a
    value sealed with an older key can be sealed again)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a SecretBox needs at least one key")
        self._ciphers = [AESGCM(key) for key in keys]

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        """``nonce || ciphertext || tag``; ``context`` (e.g. the owner's id) must match to open
        it, so a sealed value copied to another row does not open there."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._ciphers[0].encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> tuple[bytes, bool]:
        """The plaintext, and True when it was sealed with the current (first) key."""
        if len(sealed) < OVERHEAD_BYTES:
            raise Undecryptable("too short to be a sealed value")
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        for position, cipher in enumerate(self._ciphers):
            try:
                return cipher.decrypt(nonce, body, context), position == 0
            except InvalidTag:
                continue
        raise Undecryptable("sealed with an unknown key, or altered")
