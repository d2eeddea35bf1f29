"""Opaque secrets handed to clients (refresh tokens, mailed links, share links): random, kept
as digests."""

from __future__ import annotations

import hashlib
import secrets


def new_opaque_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """SHA-256 hex digest, the only form in which a secret is stored.

    A plain hash is enough here (no salt, no stretching): the secrets are random and long,
    so there is nothing to guess, and a lookup by digest stays one indexed query.
    """
    # surrogatepass: a lone surrogate a client sent still hashes (to nothing stored).
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
