"""Key derivation (RFC 5869's HKDF on the standard library) and the sealed-secret box, whose
cipher library is loaded by the first seal or open only."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from veza.kit.encryption import SecretBox, Undecryptable, derive_key, hkdf_sha256

IKM = bytes([0x0B]) * 22


def test_rfc_5869_test_case_1() -> None:
    okm = hkdf_sha256(IKM, salt=bytes(range(13)), info=bytes(range(0xF0, 0xFA)), length=42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_rfc_5869_test_case_3_no_salt_no_info() -> None:
    assert hkdf_sha256(IKM, info=b"", length=42).hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


@pytest.mark.parametrize("secret", ["", "s", "a server secret " * 9, "zoë's clé"])
@pytest.mark.parametrize("purpose", ["totp-secrets", "webhook-secrets", ""])
def test_derived_keys_are_the_ones_cryptography_derives(secret: str, purpose: str) -> None:
    reference = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    assert derive_key(secret, purpose) == reference.derive(secret.encode())


def test_long_outputs_and_the_length_limit() -> None:
    reference = HKDF(algorithm=hashes.SHA256(), length=255 * 32, salt=b"salt", info=b"i")
    assert hkdf_sha256(IKM, salt=b"salt", info=b"i", length=255 * 32) == reference.derive(IKM)
    with pytest.raises(ValueError):
        hkdf_sha256(IKM, info=b"", length=255 * 32 + 1)


def test_a_box_opens_what_it_sealed_with_any_of_its_keys() -> None:
    current, old = derive_key("secret", "new"), derive_key("secret", "old")
    sealed_old = SecretBox([old]).seal(b"totp", b"user-1")
    box = SecretBox([current, old])
    assert box.open(box.seal(b"totp", b"user-1"), b"user-1") == (b"totp", True)
    assert box.open(sealed_old, b"user-1") == (b"totp", False)
    with pytest.raises(Undecryptable):
        box.open(sealed_old, b"user-2")
    with pytest.raises(Undecryptable):
        SecretBox([derive_key("other", "new")]).open(sealed_old, b"user-1")
    with pytest.raises(ValueError):
        SecretBox([b"short"])


def test_cryptography_is_loaded_by_the_first_seal_only() -> None:
    script = (
        "import sys; from veza.kit.encryption import SecretBox, derive_key;"
        "box = SecretBox([derive_key('s', 'p')]); print('cryptography' in sys.modules);"
        "box.seal(b'x', b'c'); print('cryptography' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]
