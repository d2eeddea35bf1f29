"""The HMAC token codec on its own: every refusal PyJWT made, and tokens interchangeable with
PyJWT's both ways (PyJWT is used here only as the reference)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest

from veza.kit.errors import Unauthorized
from veza.kit.tokens import MAX_TOKEN_CHARS, TokenCodec

SECRET = "s" * 64
CODEC = TokenCodec(SECRET, "HS256", "veza")


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "user-1",
        "typ": "access",
        "iss": "veza",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "j1",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not ...}


def _pyjwt(claims: dict[str, Any], algorithm: str = "HS256", key: str | None = SECRET) -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _refusal(token: str, *, typ: str = "access", audience: str | None = None) -> str:
    with pytest.raises(Unauthorized) as refused:
        CODEC.decode(token, typ=typ, audience=audience)
    assert refused.value.status_code == 401
    return refused.value.code


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_made_by_pyjwt_decodes_and_the_other_way_round() -> None:
    for algorithm in ("HS256", "HS384", "HS512"):
        codec = TokenCodec(SECRET, algorithm, "veza")
        claims = _claims(aud="veza-stream", username="zoë")
        assert codec.decode(_pyjwt(claims, algorithm), typ="access", audience="veza-stream") == (
            claims
        )
        ours = codec.encode(subject="u", typ="stream", ttl_seconds=300, audience="veza-stream")
        decoded = jwt.decode(
            ours, SECRET, algorithms=[algorithm], audience="veza-stream", issuer="veza"
        )
        assert decoded["sub"] == "u" and decoded["exp"] - decoded["iat"] == 300
        # Byte for byte what PyJWT makes of the same claims.
        assert ours == jwt.encode(decoded, SECRET, algorithm=algorithm)


def test_tampered_signature_or_payload_is_invalid() -> None:
    header, payload, signature = _pyjwt(_claims()).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert _refusal(f"{header}.{payload}.{flipped}") == "INVALID_TOKEN"
    other = _segment(json.dumps(_claims(sub="admin")).encode())
    assert _refusal(f"{header}.{other}.{signature}") == "INVALID_TOKEN"
    assert _refusal(_pyjwt(_claims(), key="t" * 64)) == "INVALID_TOKEN"


def test_the_header_alg_must_be_the_configured_one() -> None:
    assert _refusal(jwt.encode(_claims(), None, algorithm="none")) == "INVALID_TOKEN"
    # Signed with the right secret, but another (allowed elsewhere) algorithm.
    assert _refusal(_pyjwt(_claims(), "HS512")) == "INVALID_TOKEN"
    # A header claiming "none" in front of a valid HS256 signature.
    _, payload, signature = _pyjwt(_claims()).split(".")
    none_header = _segment(b'{"alg":"none","typ":"JWT"}')
    assert _refusal(f"{none_header}.{payload}.{signature}") == "INVALID_TOKEN"
    assert _refusal(f"{none_header}.{payload}.") == "INVALID_TOKEN"
    no_alg = _segment(b'{"typ":"JWT"}')
    assert _refusal(f"{no_alg}.{payload}.{signature}") == "INVALID_TOKEN"


def test_an_unknown_algorithm_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        TokenCodec(SECRET, "RS256", "veza")


def test_expired_is_token_expired_within_five_seconds_of_leeway() -> None:
    now = int(time.time())
    assert _refusal(_pyjwt(_claims(iat=now - 700, nbf=now - 700, exp=now - 60))) == (
        "TOKEN_EXPIRED"
    )
    assert CODEC.decode(_pyjwt(_claims(exp=now - 2)), typ="access")["sub"] == "user-1"
    # Our own expired tokens say the same.
    expired = CODEC.encode(subject="u", typ="access", ttl_seconds=-60)
    assert _refusal(expired) == "TOKEN_EXPIRED"


def test_not_before_and_issued_at_in_the_future_are_invalid() -> None:
    now = int(time.time())
    assert _refusal(_pyjwt(_claims(nbf=now + 60))) == "INVALID_TOKEN"
    assert _refusal(_pyjwt(_claims(iat=now + 60))) == "INVALID_TOKEN"
    assert CODEC.decode(_pyjwt(_claims(nbf=now + 2)), typ="access")["sub"] == "user-1"


def test_wrong_issuer_audience_or_kind_is_invalid() -> None:
    assert _refusal(_pyjwt(_claims(iss="someone-else"))) == "INVALID_TOKEN"
    assert _refusal(_pyjwt(_claims(iss=...))) == "INVALID_TOKEN"
    assert _refusal(_pyjwt(_claims(aud="veza-chat")), audience="veza-stream") == "INVALID_TOKEN"
    # Asked for an audience, none in the token.
    assert _refusal(_pyjwt(_claims()), audience="veza-stream") == "INVALID_TOKEN"
    # A token for an audience is refused where no audience is asked (PyJWT's behaviour).
    assert _refusal(_pyjwt(_claims(aud="veza-stream"))) == "INVALID_TOKEN"
    assert _refusal(_pyjwt(_claims(aud=["veza-stream", 3])), audience="veza-stream") == (
        "INVALID_TOKEN"
    )
    listed = _pyjwt(_claims(aud=["other", "veza-stream"]))
    assert CODEC.decode(listed, typ="access", audience="veza-stream")["sub"] == "user-1"
    assert _refusal(_pyjwt(_claims()), typ="stream") == "INVALID_TOKEN"


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "typ", "jti"])
def test_each_required_claim_missing_or_null_is_invalid(claim: str) -> None:
    assert _refusal(_pyjwt(_claims(**{claim: ...}))) == "INVALID_TOKEN"
    assert _refusal(_pyjwt(_claims(**{claim: None}))) == "INVALID_TOKEN"


@pytest.mark.parametrize(
    "changes",
    [
        {"iat": "now"},
        {"iat": True},
        {"exp": "later"},
        {"nbf": [1]},
        {"exp": 1e400},
        {"sub": 42},
        {"jti": 7},
    ],
)
def test_claims_of_the_wrong_type_are_invalid(changes: dict[str, Any]) -> None:
    token = CODEC.encode(subject="u", typ="access", ttl_seconds=60, claims=changes)
    assert _refusal(token) == "INVALID_TOKEN"


def _signed(header: bytes, payload: bytes) -> str:
    import hashlib
    import hmac

    signing_input = f"{_segment(header)}.{_segment(payload)}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


HEADER = b'{"alg":"HS256","typ":"JWT"}'


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.@@@.###",
        "eyJhbGciOiJIUzI1NiJ9.e.x",  # a one-character remainder is no base64
        "ünïcode.tök.én",
        _signed(HEADER, b"not json"),
        _signed(HEADER, b"[1, 2, 3]"),
        _signed(HEADER, b'"a string"'),
        _signed(b"[]", json.dumps(_claims()).encode()),
        _signed(b"not json", json.dumps(_claims()).encode()),
        _signed(b'{"alg":"HS256","crit":["exp"],"exp":1}', json.dumps(_claims()).encode()),
        _signed(b'{"alg":"HS256","b64":false}', json.dumps(_claims()).encode()),
        _signed(b'{"alg":"HS256","kid":5}', json.dumps(_claims()).encode()),
        _signed(HEADER, b"[" * 5000 + b"]" * 5000),
    ],
)
def test_malformed_tokens_are_invalid(token: str) -> None:
    assert _refusal(token) == "INVALID_TOKEN"


def test_a_well_formed_hand_made_token_is_accepted() -> None:
    # The control for the malformed ones above: _signed makes valid tokens.
    token = _signed(HEADER, json.dumps(_claims()).encode())
    assert CODEC.decode(token, typ="access")["jti"] == "j1"


def test_a_huge_token_is_refused_before_decoding() -> None:
    token = _signed(HEADER, json.dumps(_claims(pad="x" * MAX_TOKEN_CHARS)).encode())
    assert _refusal(token) == "INVALID_TOKEN"
    assert _refusal("a" * (MAX_TOKEN_CHARS + 1)) == "INVALID_TOKEN"
