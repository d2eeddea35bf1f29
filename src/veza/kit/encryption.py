"""Keys derived from the server's secret material, and authenticated encryption of the small
secrets the database must keep readable (TOTP secrets): AES-256-GCM from `cryptography`.

One server secret gives independent keys, one per purpose (HKDF-SHA256 with the purpose as
its info), so a key used to seal data is never the key that signs tokens. HKDF is the
standard library's HMAC and cryptography is imported by the first seal or open: its Rust
bindings (about 11 MiB of RSS, with their own OpenSSL) stay out of processes that never use
a sealed secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

KEY_BYTES = 32
NONCE_BYTES = 12
# What sealing adds to the plaintext: the nonce in front, the GCM tag behind.
OVERHEAD_BYTES = NONCE_BYTES + 16


@lru_cache(maxsize=32)
def derive_key(secret: str, purpose: str) -> bytes:
    """A 256-bit key for ``purpose``, derived from a server secret."""
    return hkdf_sha256(secret.encode("utf-8"), info=purpose.encode(), length=KEY_BYTES)


def hkdf_sha256(key_material: bytes, *, info: bytes, length: int, salt: bytes = b"") -> bytes:
    """RFC 5869's HKDF with SHA-256 (an empty salt is the RFC's string of zeros)."""
    digest_size = hashlib.sha256().digest_size
    if not 0 < length <= 255 * digest_size:
        raise ValueError("HKDF-SHA256 derives 1 to 8160 bytes")
    pseudo_random_key = hmac.digest(salt or bytes(digest_size), key_material, "sha256")
    block, output = b"", b""
    for counter in range(1, -(-length // digest_size) + 1):
        block = hmac.digest(pseudo_random_key, block + info + bytes([counter]), "sha256")
        output += block
    return output[:length]


class Undecryptable(ValueError):
    """Sealed with none of the keys at hand, or altered."""


class SecretBox:
    """Seals with the first key; opens with any, saying whether the first one was used (so a
    value sealed with an older key can be sealed again)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a SecretBox needs at least one key")
        if any(len(key) not in (16, 24, 32) for key in keys):
            raise ValueError("AES-GCM keys are 128, 192 or 256 bits")
        self._keys = tuple(keys)
        self._built: list[Any] | None = None

    @property
    def _ciphers(self) -> list[Any]:
        if self._built is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._built = [AESGCM(key) for key in self._keys]
        return self._built

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        """``nonce || ciphertext || tag``; ``context`` (e.g. the owner's id) must match to open
        it, so a sealed value copied to another row does not open there."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._ciphers[0].encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> tuple[bytes, bool]:
        """The plaintext, and True when it was sealed with the current (first) key."""
        if len(sealed) < OVERHEAD_BYTES:
            raise Undecryptable("too short to be a sealed value")
        from cryptography.exceptions import InvalidTag

        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        for position, cipher in enumerate(self._ciphers):
            try:
                return cipher.decrypt(nonce, body, context), position == 0
            except InvalidTag:
                continue
        raise Undecryptable("sealed with an unknown key, or altered")
