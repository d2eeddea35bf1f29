"""Signing keys: made, shown once, kept sealed, and used to sign Standard Webhooks 1.0
deliveries (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<HMAC-SHA256>``)
with the ``standardwebhooks`` package, the same code receivers verify with.

The key is stored sealed with AES-256-GCM under a server key (``VEZA_WEBHOOKS__ENCRYPTION_KEY``,
else one derived from the JWT secret), bound to the webhook's id: a database dump alone can
neither read a key nor sign a delivery, and a sealed key copied to another row does not open.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from standardwebhooks.webhooks import Webhook as StandardWebhook

from veza.config import Settings
from veza.kit.encryption import SecretBox, derive_key
from veza.kit.tokens import load_or_create_secret

KEY_PREFIX = "whsec_"
KEY_BYTES = 32
_PURPOSE = "veza/webhook-signing-keys/v1"


@lru_cache(maxsize=8)
def _box(encryption_key: str, signing_secret: str) -> SecretBox:
    derived = derive_key(signing_secret, _PURPOSE)
    if not encryption_key:
        return SecretBox([derived])
    return SecretBox([derive_key(encryption_key, _PURPOSE), derived])


def key_box(settings: Settings) -> SecretBox:
    return _box(
        settings.webhooks.encryption_key.get_secret_value(), load_or_create_secret(settings)
    )


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def shown_key(raw: bytes) -> str:
    """The form the owner sees once and gives to their verifier: ``whsec_<base64>``."""
    return KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def _context(webhook_id: uuid.UUID) -> bytes:
    return b"veza/webhook/" + webhook_id.bytes


def seal_key(box: SecretBox, webhook_id: uuid.UUID, raw: bytes) -> str:
    return base64.b64encode(box.seal(raw, _context(webhook_id))).decode("ascii")


def open_key(box: SecretBox, webhook_id: uuid.UUID, sealed: str) -> bytes:
    """Raises ``kit.encryption.Undecryptable`` when the server key it was sealed with is gone."""
    raw, _ = box.open(base64.b64decode(sealed), _context(webhook_id))
    return raw


def body_of(payload: dict[str, Any]) -> str:
    """The exact body sent, the same bytes on every attempt of a delivery."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def signed_headers(raw_key: bytes, message_id: str, at: datetime, body: str) -> dict[str, str]:
    signature = StandardWebhook(raw_key).sign(msg_id=message_id, timestamp=at, data=body)
    return {
        "content-type": "application/json",
        "user-agent": "Veza-Webhooks/1.0",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def new_message_id() -> str:
    """A ``webhook-id``: unique per message, kept across its retries."""
    return "msg_" + uuid.uuid4().hex
