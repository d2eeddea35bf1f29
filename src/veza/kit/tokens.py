"""Signed JWTs: one codec, an allow-listed algorithm, a typ claim that keeps token kinds apart."""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from veza.config import Settings
from veza.kit import private_files
from veza.kit.errors import Unauthorized

# Token kinds (the typ claim) and audiences: a token of one kind is refused everywhere else.
ACCESS_TOKEN_TYPE = "access"
STREAM_TOKEN_TYPE = "stream"  # accepted only by HLS and WebSocket endpoints
STREAM_AUDIENCE = "veza-stream"
CHAT_TOKEN_TYPE = "chat"
CHAT_AUDIENCE = "veza-chat"


def load_or_create_secret(settings: Settings) -> str:
    """The configured secret, or one generated once and kept (0600) in the data directory.

    The key file appears atomically (written aside, then hard-linked into place), so worker
    processes starting together all read the same complete key.
    """
    configured = settings.auth.jwt_secret.get_secret_value()
    if configured:
        return configured
    settings.ensure_dirs()
    path: Path = settings.data_dir / "jwt.key"
    if not path.exists():
        draft = path.with_name(f".jwt.key.{os.getpid()}.{secrets.token_hex(4)}")
        private_files.create_file(draft, secrets.token_urlsafe(64).encode())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            draft.unlink()
    return path.read_text().strip()


@dataclass(frozen=True)
class TokenCodec:
    secret: str
    algorithm: str
    issuer: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCodec:
        return cls(
            load_or_create_secret(settings), settings.auth.jwt_algorithm, settings.auth.jwt_issuer
        )

    def encode(
        self,
        *,
        subject: str,
        typ: str,
        ttl_seconds: int,
        audience: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        now = datetime.now(UTC)
        payload: dict[str, Any] = {
            "sub": subject,
            "typ": typ,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=ttl_seconds),
            "jti": uuid.uuid4().hex,
        }
        if audience:
            payload["aud"] = audience
        payload.update(claims or {})
        return jwt.encode(payload, self.secret, algorithm=self.algorithm)

    def decode(self, token: str, *, typ: str, audience: str | None = None) -> dict[str, Any]:
        """Verify signature, expiry, issuer, audience and kind; any failure is a 401."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.secret,
                algorithms=[self.algorithm],  # never trust the header's alg
                issuer=self.issuer,
                audience=audience,
                options={"require": ["exp", "iat", "sub", "typ", "jti"]},
                leeway=5,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Token has expired", code="TOKEN_EXPIRED") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("Invalid token", code="INVALID_TOKEN") from exc
        if claims.get("typ") != typ:
            raise Unauthorized("Invalid token", code="INVALID_TOKEN")
        return claims
