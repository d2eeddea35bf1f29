"""Signed JWTs: one codec, an allow-listed algorithm, a typ claim that keeps token kinds apart.

The tokens are compact JWS with HMAC only (HS256/384/512, `config.jwt_algorithm`), so the
standard library signs and checks them: PyJWT would load cryptography's bindings (11 MiB of
RSS) into every API process for algorithms never used. The checks are PyJWT's, in its order:
the header's alg must be the configured one, the signature is compared in constant time,
then the required claims, iat, nbf, exp (5 s leeway), iss, aud, sub and jti. Tokens are the
bytes PyJWT makes (its header, its compact JSON), so either decodes the other's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

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


HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
REQUIRED_CLAIMS = ("exp", "iat", "sub", "typ", "jti")
LEEWAY_SECONDS = 5
# Far above any token this server makes (a few hundred bytes): a longer one is refused before
# any decoding work.
MAX_TOKEN_CHARS = 8192
_BASE64URL = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class _Invalid(Exception):
    """Any reason to refuse a token as INVALID_TOKEN."""


class _Expired(Exception):
    """The one refusal that is TOKEN_EXPIRED."""


def _b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64decode(segment: bytes) -> bytes:
    # Unpadded base64url only (what JWS requires): b64decode alone would skip foreign bytes.
    if len(segment) % 4 == 1 or not _BASE64URL.issuperset(segment):
        raise _Invalid
    try:
        return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _Invalid from exc


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise _Invalid from exc
    if not isinstance(value, dict):
        raise _Invalid
    return value


def _numeric_date(claims: dict[str, Any], name: str) -> int:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid
    return int(value)


def _check_claims(claims: dict[str, Any], issuer: str, audience: str | None) -> None:
    """PyJWT's claim checks, in its order (a token both expired and malformed is invalid)."""
    if any(claims.get(name) is None for name in REQUIRED_CLAIMS):
        raise _Invalid
    now = time.time()
    if _numeric_date(claims, "iat") > now + LEEWAY_SECONDS:
        raise _Invalid
    if "nbf" in claims and _numeric_date(claims, "nbf") > now + LEEWAY_SECONDS:
        raise _Invalid
    if _numeric_date(claims, "exp") <= now - LEEWAY_SECONDS:
        raise _Expired
    if claims.get("iss") != issuer:
        raise _Invalid
    _check_audience(claims.get("aud"), audience)
    if not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str):
        raise _Invalid


def _check_audience(claimed: Any, audience: str | None) -> None:
    if audience is None:
        if claimed:  # a token meant for some audience is not accepted where none is asked
            raise _Invalid
        return
    if isinstance(claimed, str):
        claimed = [claimed]
    if not claimed or not isinstance(claimed, list) or audience not in claimed:
        raise _Invalid
    if not all(isinstance(item, str) for item in claimed):
        raise _Invalid


@dataclass(frozen=True)
class TokenCodec:
    secret: str
    algorithm: str
    issuer: str
    _key: bytes = field(init=False, repr=False, compare=False)
    _header: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.algorithm not in HASHES:
            raise ValueError(f"unsupported token algorithm {self.algorithm!r}")
        object.__setattr__(self, "_key", self.secret.encode("utf-8"))
        # PyJWT's header, sorted keys and compact, so the tokens are byte for byte its own.
        header = json.dumps({"alg": self.algorithm, "typ": "JWT"}, separators=(",", ":"))
        object.__setattr__(self, "_header", _b64encode(header.encode()))

    def _sign(self, signing_input: bytes) -> bytes:
        return hmac.new(self._key, signing_input, HASHES[self.algorithm]).digest()

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
        now = int(time.time())
        payload: dict[str, Any] = {
            "sub": subject,
            "typ": typ,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if audience:
            payload["aud"] = audience
        payload.update(claims or {})
        # The standard library's compact JSON, as PyJWT writes it (orjson would not escape
        # non-ASCII: the same claims, other bytes).
        body = _b64encode(json.dumps(payload, separators=(",", ":")).encode())
        signing_input = self._header + b"." + body
        return (signing_input + b"." + _b64encode(self._sign(signing_input))).decode("ascii")

    def decode(self, token: str, *, typ: str, audience: str | None = None) -> dict[str, Any]:
        """Verify signature, expiry, issuer, audience and kind; any failure is a 401."""
        try:
            claims = self._verified_claims(token)
            _check_claims(claims, self.issuer, audience)
        except _Expired as exc:
            raise Unauthorized("Token has expired", code="TOKEN_EXPIRED") from exc
        except _Invalid as exc:
            raise Unauthorized("Invalid token", code="INVALID_TOKEN") from exc
        if claims.get("typ") != typ:
            raise Unauthorized("Invalid token", code="INVALID_TOKEN")
        return claims

    def _verified_claims(self, token: str) -> dict[str, Any]:
        """The payload of a token whose header and signature are this codec's own."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise _Invalid
        segments = token.encode("ascii").split(b".")
        if len(segments) != 3:
            raise _Invalid
        header_segment, payload_segment, signature_segment = segments
        header = _json_object(_b64decode(header_segment))
        # Never trust the header's alg: only the configured one ("none" and the others are
        # refused); no critical extension is understood, and b64=false would sign other bytes.
        if header.get("alg") != self.algorithm or "crit" in header:
            raise _Invalid
        if header.get("b64", True) is not True:
            raise _Invalid
        if "kid" in header and not isinstance(header["kid"], str):
            raise _Invalid
        expected = self._sign(header_segment + b"." + payload_segment)
        if not hmac.compare_digest(expected, _b64decode(signature_segment)):
            raise _Invalid
        return _json_object(_b64decode(payload_segment))
