"""The contract (../shared/spec/openapi.yaml) as the tests read it."""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI

from veza.kit.routing import stub_operation_ids

# The contract lives beside the repository (../shared/spec); VEZA_CONTRACT_PATH overrides it.
SPEC_PATH = Path(
    os.environ.get("VEZA_CONTRACT_PATH")
    or Path(__file__).resolve().parents[2] / "shared" / "spec" / "openapi.yaml"
)
BASE_PATH = "/api/v1"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


# Statuses we return beyond an operation's list in the contract, each one required by an
# issue or by the spec README's general rules (404 for an id that does not exist, 400 for
# invalid input) and documented in docs/CONFORMANCE.md ("Statuses beyond the contract").
DOCUMENTED_EXTRA_STATUSES: dict[str, dict[int, str]] = {
    "POST /api/v1/auth/login": {
        403: "email not verified, or the account is banned or inactive",
        429: "too many failed logins for the account or the client IP (Retry-After)",
    },
    "POST /api/v1/auth/register": {
        429: "too many registrations from the client IP (Retry-After)",
    },
    "GET /api/v1/users": {400: "unknown sort field or order, page or limit below 1"},
    "GET /api/v1/search": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/search/suggestions": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/tracks/search": {
        400: "an unknown tag_mode, sort_by or sort_order, an inverted or negative range, a "
        "date that is not RFC 3339, a query over 200 characters, page or limit below 1",
        401: "a bad or expired token (auth is optional)",
    },
    "GET /api/v1/playlists/search": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/social/trending": {401: "a bad or expired token (auth is optional)"},
    "PUT /api/v1/users/{id}": {404: "an administrator edits a user that does not exist"},
    "GET /api/v1/users/{id}/completion": {404: "the user does not exist"},
    "POST /api/v1/users/{id}/block": {404: "the user does not exist"},
    "POST /api/v1/tracks/{id}/comments": {
        429: "too many comments posted by the caller (Retry-After)",
    },
    "GET /api/v1/tracks/{id}/comments": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/comments/{id}/replies": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/tracks": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/tracks/{id}": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/tracks/{id}/lyrics": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/tracks/{id}/stats": {401: "a bad or expired token (auth is optional)"},
    "GET /api/v1/tracks/{id}/stream": {
        401: "a bad, expired or ended access or stream token (auth is optional)"
    },
    "GET /api/v1/tracks/{id}/repost": {
        401: "a bad or expired token (auth is optional)",
        404: "the track does not exist or is hidden from the caller",
    },
    "GET /api/v1/tracks/recommendations": {
        400: "a malformed seed_track_id",
        404: "the seed track does not exist or is hidden from the caller",
    },
    "GET /api/v1/users/{id}/likes": {404: "the user does not exist or is hidden by a block"},
    "GET /api/v1/marketplace/products": {
        400: "an unknown status or type, a malformed seller_id, a bad price, page or limit",
        401: "a bad or expired token (auth is optional)",
    },
    "POST /api/v1/marketplace/products": {
        403: "the caller is neither a creator nor an administrator (upgrade-creator first)",
    },
    "POST /api/v1/marketplace/orders": {
        409: "the Idempotency-Key was used before with another request body",
    },
    "GET /api/v1/marketplace/download/{product_id}": {
        400: "a malformed product id",
        401: "no or a bad token",
    },
    "GET /api/v1/dashboard": {400: "a stats_period other than 7d, 30d, 90d or all"},
    "GET /api/v1/users/{id}/reposts": {
        401: "a bad or expired token (auth is optional)",
        404: "the user does not exist or is hidden by a block",
    },
    "GET /api/v1/playlists": {
        400: "page or limit below 1, or a user_id that is not a UUID",
        401: "no or bad credentials on a secured operation",
    },
    "GET /api/v1/playlists/{id}": {401: "no or bad credentials on a secured operation"},
    "PUT /api/v1/playlists/{id}": {412: "If-Match names a snapshot_id that is not current"},
    "DELETE /api/v1/playlists/{id}": {400: "a malformed playlist id"},
    "POST /api/v1/playlists/{id}/tracks": {
        401: "no or bad credentials on a secured operation",
        403: "the caller may read the playlist but not change its tracks",
        412: "If-Match names a snapshot_id that is not current",
    },
    "DELETE /api/v1/playlists/{id}/tracks/{trackId}": {
        400: "a malformed playlist or track id",
        401: "no or bad credentials on a secured operation",
        403: "the caller may read the playlist but not change its tracks",
        412: "If-Match names a snapshot_id that is not current",
    },
    "PUT /api/v1/playlists/{id}/tracks/reorder": {
        401: "no or bad credentials on a secured operation",
        403: "the caller may read the playlist but not change its tracks",
        404: "the playlist does not exist or the caller may not read it",
        412: "If-Match names a snapshot_id that is not current",
    },
    "POST /api/v1/queue/items": {404: "the track does not exist or the caller may not read it"},
    "POST /api/v1/queue/session/{token}/items": {
        401: "no or a bad token (the operation is secured)",
        429: "too many tracks added to sessions by the caller (Retry-After)",
    },
    "DELETE /api/v1/queue/session/{token}/items/{id}": {
        401: "no or a bad token (the operation is secured)",
        403: "neither the session's host nor the one who added the item",
    },
}


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    contract_path: str  # as written in the contract
    served_path: str  # where we serve it
    spec: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.method} {self.served_path}"

    @property
    def responses(self) -> dict[str, str]:
        """The contract's responses of the operation: {"400": "Validation error", ...}."""
        return {
            str(status): response["description"]
            for status, response in self.spec.get("responses", {}).items()
        }


@lru_cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


def served_path(contract_path: str) -> str:
    # Three contract paths already carry the base path; they are served once, not doubled.
    if contract_path.startswith(BASE_PATH + "/"):
        return contract_path
    return BASE_PATH + contract_path


def operations() -> list[Operation]:
    spec = load_spec()
    return [
        Operation(method.upper(), path, served_path(path), op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def spec_for_schemathesis() -> dict[str, Any]:
    """The contract as schemathesis should read it.

    - The three already-prefixed paths are rewritten relative to basePath.
    - swag lists only the audio media type in `produces` of stream and download; their errors
      are the JSON envelope, as everywhere (docs/CONFORMANCE.md, Tracks).
    """
    spec = copy.deepcopy(load_spec())
    for path in ("/tracks/{id}/stream", "/tracks/{id}/download"):
        produces = spec["paths"][path]["get"].setdefault("produces", [])
        if "application/json" not in produces:
            produces.append("application/json")
    spec["paths"] = {
        (path[len(BASE_PATH) :] if path.startswith(BASE_PATH + "/") else path): item
        for path, item in spec["paths"].items()
    }
    return spec


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def served_operations(app: FastAPI) -> dict[str, dict[str, Any]]:
    """The operations of the served schema (/api/v1/openapi.json), keyed "METHOD /path"."""
    return operations_in(app.openapi())


def operations_in(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The operations of an OpenAPI 3 schema, keyed "METHOD /path" with parameters as {}."""
    return {
        f"{method.upper()} {_normalise(path)}": op
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    }


def served_key(operation: Operation) -> str:
    """The key of ``operation`` in served_operations() and operations_in()."""
    return f"{operation.method} {_normalise(operation.served_path)}"


def served_operation(app: FastAPI, operation: Operation) -> dict[str, Any] | None:
    return served_operations(app).get(served_key(operation))


def is_implemented(app: FastAPI, operation: Operation) -> bool:
    served = served_operation(app, operation)
    return served is not None and served.get("operationId") not in stub_operation_ids()


def implemented(app: FastAPI) -> list[Operation]:
    return [operation for operation in operations() if is_implemented(app, operation)]
