"""TOTP second factor (RFC 6238: SHA-1, 30-second steps, 6 digits), recovery codes, and the
secrets sealed at rest.

A TOTP secret must be read back to check codes, so it cannot be hashed like the recovery codes:
it is stored sealed (AES-256-GCM, bound to its owner's id) as ``e1:`` and the base85 of
``nonce || ciphertext || tag`` (63 characters for a 160-bit secret, within the column's 64).
A value without the prefix is a clear secret stored before sealing existed; it is still read,
and sealed on its next use.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
import uuid
from functools import lru_cache
from typing import TYPE_CHECKING

import pyotp

from veza.kit.encryption import SecretBox, Undecryptable, derive_key
from veza.kit.lazy import LazyModule

if TYPE_CHECKING:
    import segno
else:
    segno = LazyModule("segno")  # the QR code of an enrolment only

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: recovery codes are read off paper. 10 characters carry about 49 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_CODE_LENGTH = 10
# Codes one step before or after the current one are accepted (clock drift), never further.
_ACCEPTED_DRIFT_STEPS = 1


def current_time() -> float:
    """The clock codes are checked against (a function so tests can pin it)."""
    return time.time()


def new_secret() -> str:
    """A base32 secret of 160 bits, the size RFC 4226 recommends for HMAC-SHA1."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_code_data_url(uri: str) -> str:
    """The otpauth:// URI as a PNG QR code in a data: URL (usable as an <img> src)."""
    data_url: str = segno.make(uri, error="m").png_data_uri(scale=5, border=4)
    return data_url


def is_totp_shaped(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, *, after_step: int | None = None) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and newer than ``after_step``.

    Refusing steps at or before the last accepted one makes every code single use.
    """
    code = code.replace(" ", "")
    if not is_totp_shaped(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(current_time()) // totp.interval
    for step in range(current - _ACCEPTED_DRIFT_STEPS, current + _ACCEPTED_DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes shaped "xxxxx-xxxxx", shown once; only their digests are kept."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


# --- secrets at rest ------------------------------------------------------------------------

SEALED_PREFIX = "e1:"
_KEY_PURPOSE = "veza/totp-secrets/v1"
# The column the sealed form must fit in (users.two_factor_secret, two_factor_pending_secret).
_STORED_MAX_LENGTH = 64


@lru_cache(maxsize=8)
def secret_box(encryption_key: str, signing_secret: str) -> SecretBox:
    """Seals with the dedicated key when one is configured, else with a key derived from the
    JWT signing secret; with a dedicated key, secrets sealed by the derived one still open."""
    derived = derive_key(signing_secret, _KEY_PURPOSE)
    if not encryption_key:
        return SecretBox([derived])
    return SecretBox([derive_key(encryption_key, _KEY_PURPOSE), derived])


def _context(owner_id: uuid.UUID) -> bytes:
    return b"veza/totp/" + owner_id.bytes


def seal_secret(box: SecretBox, owner_id: uuid.UUID, secret: str) -> str:
    raw = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    stored = SEALED_PREFIX + base64.b85encode(box.seal(raw, _context(owner_id))).decode("ascii")
    if len(stored) > _STORED_MAX_LENGTH:
        raise ValueError("TOTP secret too long to be stored sealed")
    return stored


def open_secret(box: SecretBox, owner_id: uuid.UUID, stored: str) -> tuple[str, bool]:
    """The base32 secret, and whether ``stored`` is in its current form (sealed with the current
    key); raises ``Undecryptable`` when it cannot be opened."""
    if not stored.startswith(SEALED_PREFIX):
        return stored, False
    try:
        sealed = base64.b85decode(stored[len(SEALED_PREFIX) :])
    except ValueError as exc:  # binascii.Error is one
        raise Undecryptable("not base85") from exc
    raw, current = box.open(sealed, _context(owner_id))
    return base64.b32encode(raw).decode("ascii").rstrip("="), current
