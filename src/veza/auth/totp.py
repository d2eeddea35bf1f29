"""TOTP second factor (RFC 6238: SHA-1, 30-second steps, 6 digits) and recovery codes."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno

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
