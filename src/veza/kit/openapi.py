"""The served schema's responses: the contract's, with errors in the envelope and never a 422.

FastAPI describes a route's success from its response model and adds a 422 to every route with
parameters, a status this server never sends (invalid input is 400 in the envelope,
kit/handlers.py). ``serve_contract_responses`` rewrites the generated schema once, when it is first
built: every operation of the contract gets the statuses and descriptions of its ``responses``
list (the table below, copied from the contract so the app never reads ../shared), errors with
the ErrorEnvelope schema, successes with the model the route already declares. A status a route
sends beyond the contract's list is declared in its decorator (``responses=``) and listed in
tests/contract.py. Operations the contract does not list keep their own responses, with 400 in
place of FastAPI's 422.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.constants import REF_PREFIX

from veza.kit.envelope import ErrorEnvelope

# Every operation of the contract (paths under the API prefix) and its responses, status by
# status, in the contract's words. tests/test_contract_coverage.py keeps it equal to the contract.
_CONTRACT_TABLE = """
GET /audit/activity                             200 OK | 401 Unauthorized | 500 Internal server error
GET /audit/logs                                 200 OK | 400 Validation error | 401 Unauthorized | 500 Internal server error
GET /audit/stats                                200 OK | 400 Validation error | 401 Unauthorized | 500 Internal server error
POST /auth/2fa/disable                          200 OK | 400 Invalid password or 2FA not enabled | 401 Unauthorized | 500 Internal Error
POST /auth/2fa/setup                            200 OK | 400 2FA already enabled | 401 Unauthorized | 500 Internal Error
GET /auth/2fa/status                            200 OK | 401 Unauthorized | 500 Internal Error
POST /auth/2fa/verify                           200 OK | 400 Invalid code | 401 Unauthorized | 500 Internal Error
GET /auth/check-username                        200 OK | 400 Missing Username
POST /auth/login                                200 Access token returned in body, refresh token in httpOnly cookie | 400 Validation or Bad Request | 401 Invalid credentials | 500 Internal Error
POST /auth/logout                               200 Success message | 400 Validation Error | 401 Unauthorized
GET /auth/me                                    200 OK | 401 Unauthorized | 404 User not found
POST /auth/password/reset                       200 Password reset successfully | 400 Invalid or expired token, or password validation failed | 500 Failed to update password
POST /auth/password/reset-request               200 If the email exists, a reset link has been sent | 400 Validation error | 500 Token generation/storage failed (or SMTP failure in production)
POST /auth/refresh                              200 OK | 400 Validation Error | 401 Invalid/Expired Refresh Token | 500 Internal Error
POST /auth/register                             201 Created | 400 Validation Error | 409 User already exists | 500 Internal Error
POST /auth/resend-verification                  200 Success message | 400 Validation Error
POST /auth/stream-token                         200 OK | 401 Unauthorized
POST /auth/verify-email                         200 Success message | 400 Invalid Token
GET /chat/token                                 200 OK | 401 Unauthorized | 500 Internal Error
PUT /comments/{id}                              200 OK | 400 Validation error | 401 Unauthorized | 403 Forbidden - can only edit own comments | 404 Comment not found | 500 Internal server error
GET /comments/{id}/replies                      200 OK | 400 Validation error | 404 Parent comment not found | 500 Internal server error
GET /config/webrtc                              200 ICE servers
GET /dashboard                                  200 OK | 401 Unauthorized | 500 Internal server error
POST /internal/tracks/{id}/stream-ready         200 OK | 400 Validation / invalid id | 500 Internal Error
POST /logs/frontend                             200 OK | 400 Invalid log entry | 500 Internal server error
GET /marketplace/download/{product_id}          200 OK | 403 No license | 404 Not Found
GET /marketplace/orders                         200 OK | 401 Unauthorized | 500 Internal Error
POST /marketplace/orders                        201 Created | 400 Validation Error | 401 Unauthorized
GET /marketplace/orders/{id}                    200 OK | 400 Validation Error | 401 Unauthorized | 403 Forbidden - Not order owner | 404 Order not found
GET /marketplace/products                       200 OK
POST /marketplace/products                      201 Created | 400 Validation Error | 401 Unauthorized
PUT /marketplace/products/{id}                  200 OK | 400 Validation Error | 401 Unauthorized | 403 Forbidden - Not product owner | 404 Product not found
GET /playlists                                  200 OK | 500 Internal Error
POST /playlists                                 201 Created | 400 Validation Error | 401 Unauthorized | 500 Internal Error
GET /playlists/favoris                          200 OK | 401 Unauthorized | 500 Internal Error
POST /playlists/import                          201 Created | 400 Validation | 401 Unauthorized | 500 Internal Error
GET /playlists/recommendations                  200 OK | 401 Unauthorized | 500 Internal Error
GET /playlists/search                           200 OK | 400 Validation | 500 Internal Error
GET /playlists/shared/{token}                   200 OK | 400 Missing token | 403 Share expired | 404 Share or playlist not found | 500 Internal Error
DELETE /playlists/{id}                          200 OK | 401 Unauthorized | 403 Forbidden | 404 Playlist not found
GET /playlists/{id}                             200 OK | 400 Invalid ID | 404 Playlist not found
PUT /playlists/{id}                             200 OK | 400 Validation Error | 401 Unauthorized | 403 Forbidden | 404 Playlist not found
GET /playlists/{id}/analytics                   200 OK | 400 Invalid id | 401 Unauthorized | 403 Forbidden | 404 Playlist not found | 500 Internal Error
GET /playlists/{id}/collaborators               200 OK | 400 Invalid id | 401 Unauthorized | 404 Playlist not found | 500 Internal Error
POST /playlists/{id}/collaborators              200 OK | 400 Validation | 401 Unauthorized | 403 Not owner | 404 Playlist not found | 500 Internal Error
DELETE /playlists/{id}/collaborators/{userId}   200 OK | 400 Validation | 401 Unauthorized | 403 Not owner | 404 Playlist or collaborator not found | 500 Internal Error
PUT /playlists/{id}/collaborators/{userId}      200 OK | 400 Validation | 401 Unauthorized | 403 Not owner | 404 Playlist or collaborator not found | 500 Internal Error
POST /playlists/{id}/duplicate                  201 Created | 400 Invalid id | 401 Unauthorized | 403 Source not visible | 404 Source playlist not found | 500 Internal Error
POST /playlists/{id}/share                      200 OK | 400 Validation | 401 Unauthorized | 403 Not owner | 404 Playlist not found | 500 Internal Error
POST /playlists/{id}/tracks                     200 OK | 400 Track already present or invalid ID | 404 Playlist or Track not found
PUT /playlists/{id}/tracks/reorder              200 OK | 400 Validation Error
DELETE /playlists/{id}/tracks/{trackId}         200 OK | 404 Playlist or Track not found
DELETE /queue                                   200 Queue cleared | 401 Unauthorized | 500 Internal Error
GET /queue                                      200 Queue + items | 401 Unauthorized | 500 Internal Error
PUT /queue                                      200 Updated queue | 400 Validation error | 401 Unauthorized | 500 Internal Error
POST /queue/items                               201 Created queue item | 400 Validation error | 401 Unauthorized | 500 Internal Error
DELETE /queue/items/{id}                        200 Item removed | 400 Invalid item ID | 401 Unauthorized | 404 Queue item not found
POST /queue/session                             201 Created session | 401 Unauthorized | 500 Internal Error
DELETE /queue/session/{token}                   200 Session deleted | 400 Token required | 401 Unauthorized | 403 Only the creator can delete this session | 404 Session not found
GET /queue/session/{token}                      200 Session and queue items | 400 Token required | 404 Session not found | 500 Internal Error
POST /queue/session/{token}/items               201 Updated session and items | 400 Validation error | 404 Session not found | 500 Internal Error
DELETE /queue/session/{token}/items/{id}        200 Item removed | 400 Validation error | 404 Session or item not found | 500 Internal Error
GET /search                                     200 Search results | 400 Validation error | 500 Search failed
GET /search/suggestions                         200 Suggestions | 400 Validation error | 500 Suggestions failed
GET /social/trending                            200 Trending tags | 500 Failed to compute trending
GET /tracks                                     200 OK | 400 Invalid query params | 500 Internal Error
POST /tracks                                    201 Created | 400 No file or validation error | 401 Unauthorized | 403 Quota exceeded | 500 Internal Error
POST /tracks/batch/delete                       200 OK | 400 Validation / batch size exceeded | 401 Unauthorized | 500 Internal Error
POST /tracks/batch/update                       200 OK | 400 Validation / batch size exceeded | 401 Unauthorized | 500 Internal Error
POST /tracks/chunk                              200 OK | 400 Validation Error | 401 Unauthorized
POST /tracks/complete                           201 Created | 400 Validation or Assemblage Error | 401 Unauthorized
POST /tracks/initiate                           200 OK | 400 Validation Error | 401 Unauthorized
GET /tracks/quota/{id}                          200 OK | 401 Unauthorized | 403 Forbidden
GET /tracks/recommendations                     200 OK | 500 Internal Error
GET /tracks/resume/{uploadId}                   200 OK | 404 Upload session not found
GET /tracks/search                              200 OK | 500 Internal Error
DELETE /tracks/share/{id}                       200 OK | 400 Validation | 401 Unauthorized | 403 Not issuer | 404 Share not found | 500 Internal Error
GET /tracks/shared/{token}                      200 OK | 400 Missing token | 403 Share link expired | 404 Share or track not found | 500 Internal Error
GET /tracks/suggested-tags                      200 OK
DELETE /tracks/{id}                             200 OK | 400 Invalid track id | 401 Unauthorized | 403 Not owner / no admin | 404 Track not found | 500 Internal Error
GET /tracks/{id}                                200 OK | 400 Invalid track id | 404 Track not found | 500 Internal Error
PUT /tracks/{id}                                200 OK | 400 Validation / invalid id | 401 Unauthorized | 403 Not owner / no admin | 404 Track not found | 500 Internal Error
GET /tracks/{id}/comments                       200 OK | 400 Validation error | 404 Track not found | 500 Internal server error
POST /tracks/{id}/comments                      201 Created | 400 Validation error | 401 Unauthorized | 404 Track not found | 500 Internal server error
DELETE /tracks/{id}/comments/{comment_id}       200 OK | 400 Validation error | 401 Unauthorized | 403 Forbidden - not comment owner | 404 Comment not found
GET /tracks/{id}/download                       200 OK | 302 Location header points to signed S3 URL (s3-backed tracks) | 400 Invalid track id | 403 No permission / license required | 404 Track or file not found | 500 Internal Error
GET /tracks/{id}/history                        200 OK | 400 Invalid track id | 404 Track not found | 500 Internal Error
DELETE /tracks/{id}/like                        200 OK | 400 Invalid track id | 401 Unauthorized | 500 Internal Error
POST /tracks/{id}/like                          200 OK | 400 Invalid track id | 401 Unauthorized | 404 Track not found | 500 Internal Error
GET /tracks/{id}/likes                          200 count is omitted for non-owners | 400 Invalid track id | 401 Unauthorized | 404 Track not found | 500 Internal Error
GET /tracks/{id}/lyrics                         200 lyrics may be null | 400 Invalid track id | 404 Track not found | 500 Internal Error
PUT /tracks/{id}/lyrics                         200 OK | 400 Validation / invalid id | 401 Unauthorized | 403 Not owner / no admin | 404 Track not found | 500 Internal Error
POST /tracks/{id}/play                          200 OK | 400 Invalid track id / body | 401 Unauthorized | 404 Track not found | 500 Internal Error
DELETE /tracks/{id}/repost                      200 OK | 400 Invalid track id | 401 Unauthorized | 500 Internal Error
GET /tracks/{id}/repost                         200 OK | 400 Invalid track id
POST /tracks/{id}/repost                        200 OK | 400 Invalid track id | 401 Unauthorized | 404 Track not found | 500 Internal Error
POST /tracks/{id}/share                         200 OK | 400 Validation | 401 Unauthorized | 403 Not owner | 404 Track not found | 500 Internal Error
GET /tracks/{id}/stats                          200 OK | 400 Invalid track id | 404 Track not found | 500 Internal Error
GET /tracks/{id}/status                         200 OK | 400 Invalid ID | 401 Unauthorized | 404 Track not found
GET /tracks/{id}/stream                         200 OK | 302 Location header points to signed S3 URL (s3-backed tracks) | 400 Invalid track id | 403 No permission | 404 Track or file not found | 500 Internal Error
POST /tracks/{id}/versions/{versionId}/restore  200 OK | 400 Invalid id | 401 Unauthorized | 403 Not owner | 404 Track or version not found | 500 Internal Error
GET /tracks/{id}/waveform                       200 Waveform peaks JSON (tool-specific shape) | 400 Invalid track id | 404 Waveform not generated / track not found | 500 Internal Error
GET /users                                      200 OK | 500 Internal Error
GET /users/by-username/{username}               200 OK | 400 Missing username | 404 User not found
DELETE /users/me                                200 OK | 400 Bad Request | 401 Unauthorized | 500 Internal Server Error
POST /users/me/privacy/opt-out                  200 OK | 401 Unauthorized | 500 Internal Server Error
GET /users/search                               200 OK | 400 Validation (bounds) | 500 Internal Error
GET /users/suggestions                          200 OK | 401 Unauthorized | 500 Internal Error
DELETE /users/{id}                              200 User deleted successfully | 400 Invalid ID | 401 Unauthorized | 403 Forbidden - Not user owner or admin | 404 User not found
GET /users/{id}                                 200 OK | 400 Invalid ID | 404 User not found
PUT /users/{id}                                 200 OK | 400 Validation Error | 401 Unauthorized | 403 Forbidden
DELETE /users/{id}/block                        200 OK | 400 Invalid id | 401 Unauthorized | 500 Internal Error
POST /users/{id}/block                          200 OK | 400 Validation / self-block | 401 Unauthorized | 500 Internal Error
GET /users/{id}/completion                      200 OK | 400 Invalid ID | 401 Unauthorized | 403 Forbidden
DELETE /users/{id}/follow                       200 OK | 400 Invalid id | 401 Unauthorized | 500 Internal Error
POST /users/{id}/follow                         200 OK | 400 Invalid id | 401 Unauthorized | 404 User not found | 500 Internal Error
GET /users/{id}/likes                           200 OK | 400 Validation | 401 Unauthorized | 500 Internal Error
GET /users/{id}/reposts                         200 OK | 400 Validation | 500 Internal Error
POST /validate                                  200 Validation result | 400 Invalid request format
GET /webhooks                                   200 OK | 401 Unauthorized | 500 Internal server error
POST /webhooks                                  201 Created | 400 Validation error | 401 Unauthorized | 500 Internal server error
GET /webhooks/stats                             200 OK | 401 Unauthorized | 500 Internal server error
DELETE /webhooks/{id}                           200 OK | 400 Invalid webhook ID | 401 Unauthorized | 404 Webhook not found
POST /webhooks/{id}/regenerate-key              200 OK | 400 Invalid webhook ID | 401 Unauthorized | 404 Webhook not found | 500 Internal server error
POST /webhooks/{id}/test                        200 OK | 400 Invalid webhook ID | 401 Unauthorized | 404 Webhook not found
"""  # noqa: E501 (the contract's descriptions, verbatim)

# The components FastAPI adds for its 422 (the first refers to the second).
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _parse(table: str) -> dict[str, dict[int, str]]:
    """{"POST /auth/register": {201: "Created", ...}} from lines "POST /auth/register  201 ..."."""
    parsed: dict[str, dict[int, str]] = {}
    for line in table.strip().splitlines():
        method, path, cells = line.split(maxsplit=2)
        statuses = (cell.strip().split(" ", 1) for cell in cells.split(" | "))
        parsed[f"{method} {path}"] = {int(status): text for status, text in statuses}
    return parsed


CONTRACT_RESPONSES = _parse(_CONTRACT_TABLE)


def _error_response(description: str) -> dict[str, Any]:
    schema = {"$ref": f"{REF_PREFIX}{ErrorEnvelope.__name__}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _with_listed(responses: dict[str, Any], listed: dict[int, str]) -> None:
    for status, description in listed.items():
        if status >= 400:
            served = responses.setdefault(str(status), _error_response(description))
            served["description"] = description
        elif str(status) in responses:
            # A success status the route does not produce stays absent: the coverage test names it
            # rather than the docs showing a response without its model.
            responses[str(status)]["description"] = description


def _add_error_envelope(components: dict[str, Any]) -> None:
    schema = ErrorEnvelope.model_json_schema(
        ref_template=REF_PREFIX + "{model}", mode="serialization"
    )
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault(ErrorEnvelope.__name__, schema)


def with_contract_responses(schema: dict[str, Any], api_prefix: str) -> dict[str, Any]:
    """``schema`` (FastAPI's, changed in place) with the contract's responses (module docstring)."""
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            had_422 = responses.pop("422", None) is not None
            listed = CONTRACT_RESPONSES.get(f"{method.upper()} {path.removeprefix(api_prefix)}")
            if listed is not None:
                _with_listed(responses, listed)
            elif had_422:
                responses.setdefault("400", _error_response("Invalid input"))
            operation["responses"] = dict(sorted(responses.items()))
    components: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    _add_error_envelope(components)
    if f'"{REF_PREFIX}{_VALIDATION_SCHEMAS[0]}"' not in json.dumps(schema["paths"]):
        for name in _VALIDATION_SCHEMAS:
            components.pop(name, None)
    return schema


def serve_contract_responses(app: FastAPI, api_prefix: str) -> None:
    """Make ``app`` serve (at its openapi_url, and to ``app.openapi()``) the schema with the
    contract's responses, built on first use like FastAPI's own."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_contract_responses(generate(), api_prefix)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
