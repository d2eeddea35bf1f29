"""Subsonic errors: a code from the specification and a message, rendered in the
``subsonic-response`` envelope with status "failed" (HTTP 200, as every Subsonic server)."""

from __future__ import annotations

from veza.kit.errors import NotFound

GENERIC = 0
MISSING_PARAMETER = 10
CLIENT_TOO_OLD = 20
SERVER_TOO_OLD = 30
WRONG_CREDENTIALS = 40
TOKEN_NOT_SUPPORTED = 41
MECHANISM_NOT_SUPPORTED = 42
CONFLICTING_MECHANISMS = 43
INVALID_API_KEY = 44
NOT_AUTHORIZED = 50
NOT_FOUND = 70


class SubsonicError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def missing(name: str) -> SubsonicError:
    return SubsonicError(MISSING_PARAMETER, f"Required parameter is missing: {name}")


def not_found(what: str) -> SubsonicError:
    return SubsonicError(NOT_FOUND, f"{what} not found")


def bad_value(name: str, reason: str) -> SubsonicError:
    return SubsonicError(GENERIC, f"Invalid parameter {name}: {reason}")


# The access routes under /api/v1/subsonic speak the REST API's errors.


class ApiKeyNotFound(NotFound):
    code = "SUBSONIC_API_KEY_NOT_FOUND"
    message = "Subsonic API key not found"
