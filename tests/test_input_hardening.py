"""Hostile input across the whole API, driven from the served schema rather than a hand list.

- Every operation taking a JSON body refuses a lone UTF-16 surrogate in any value of it with a
  400 naming the field (before any other check of that field), whoever the caller is.
- An error echoing such a value still renders as the envelope.
- Every built operation paging by limit/offset/page/cursor serves a huge offset or page as an
  empty page and refuses a cursor it did not issue.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from tests.conftest import make_settings
from tests.contract import HTTP_METHODS
from tests.factories import admin, create_comment, create_track, create_webhook
from veza.config import Settings
from veza.kit.routing import stub_operation_ids
from veza.kit.schemas import SURROGATE_REFUSAL
from veza.media.dependencies import INTERNAL_API_KEY_HEADER

INTERNAL_KEY = "internal-test-key"
SURROGATE = "x\ud800y"
# What a location of the body holds: keys of objects and indexes of arrays.
Location = tuple[str | int, ...]


@pytest.fixture
def settings(tmp_path: Path, db_backend: Any) -> Settings:
    configured = make_settings(tmp_path, db_backend.url_for_test(tmp_path))
    configured.auth.internal_api_key = SecretStr(INTERNAL_KEY)  # reach /internal/* bodies
    return configured


# A well-formed body for a JSON schema, and every leaf of it ----------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].split("/")[-1]]
    return schema


def sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A value of the schema's shape, with every optional property present."""
    schema = _resolve(schema, components)
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            options = [option for option in schema[combinator] if option.get("type") != "null"]
            return sample(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        value = {
            name: sample(item, components) for name, item in schema.get("properties", {}).items()
        }
        if not value and schema.get("additionalProperties", True) is not False:
            value = {"note": "ok"}  # a free-form object: some text inside it
        return value
    if kind == "array":
        return [sample(schema.get("items", {"type": "string"}), components)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    return "ok"


def leaves(value: Any, at: Location = ()) -> Iterator[Location]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*at, index))
    else:
        yield at


def replaced(value: Any, at: Location, new: Any) -> Any:
    if not at:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[at[0]] = replaced(value[at[0]], at[1:], new)  # type: ignore[index]
    return copy


def json_body_operations(app: FastAPI) -> list[tuple[str, str, Any]]:
    """(method, path, well-formed body) of every served operation taking a JSON body."""
    schema = app.openapi()
    components = schema["components"]["schemas"]
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method in HTTP_METHODS and "application/json" in content:
                body = sample(content["application/json"]["schema"], components)
                found.append((method.upper(), path, body))
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


async def send_json(
    app: FastAPI, client: httpx.AsyncClient, method: str, path: str, body: bytes
) -> httpx.Response:
    caller = await admin(app)  # a fresh session each time: logout or deletion ends one
    headers = {
        **caller.headers,
        INTERNAL_API_KEY_HEADER: INTERNAL_KEY,
        "content-type": "application/json",
    }
    return await client.request(method, concrete(path), content=body, headers=headers)


# Lone surrogates -----------------------------------------------------------------------------


async def test_every_json_body_refuses_a_lone_surrogate_in_any_value(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    operations = json_body_operations(app)
    assert len(operations) >= 40, "the served schema lost its JSON bodies"
    problems = []
    for method, path, body in operations:
        locations = list(leaves(body))
        assert locations, f"{method} {path}: no value to put a surrogate in"
        for location in locations:
            # The escape, as ensure_ascii encoders write it: valid JSON, invalid text.
            raw = json.dumps(replaced(body, location, SURROGATE)).encode()
            response = await send_json(app, client, method, path, raw)
            field = ".".join(str(part) for part in location)
            details = response.json().get("error", {}).get("details", [])
            if response.status_code != 400 or not any(
                detail["field"] == field and "surrogate" in detail["message"] for detail in details
            ):
                problems.append(f"{method} {path} [{field}]: {response.status_code} {details}")
    assert not problems, "\n".join(problems)


async def test_surrogate_sent_as_raw_bytes_or_in_a_key_is_refused_too(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # CESU-8 bytes of U+D800: Python's JSON decoder lets them through as a lone surrogate.
    raw = b'{"email": "a\xed\xa0\x80@example.com", "password": "p"}'
    response = await client.post(
        "/api/v1/auth/login", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"][0]["field"] == "email"
    # A key of a free-form object: the key is named, escaped.
    response = await client.post(
        "/api/v1/logs/frontend",
        content=b'{"level": "info", "message": "m", "context": {"ok": {"\\udc00": 1}}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"] == [
        {"field": "context.ok.\\udc00", "message": SURROGATE_REFUSAL, "value": "\\udc00"}
    ]


async def test_validate_reports_a_surrogate_inside_the_data_it_checks(
    client: httpx.AsyncClient,
) -> None:
    # The data arrives base64-encoded, so the outer body is clean; the model named by "type"
    # refuses the string, and the 200 listing the errors echoes it escaped.
    inner = json.dumps({"email": "a@b.co", "password": "p", "two_factor_code": "1\udfff"})
    response = await client.post(
        "/api/v1/validate",
        json={"type": "LoginRequest", "data": base64.b64encode(inner.encode()).decode()},
    )
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == [
        {"field": "two_factor_code", "message": SURROGATE_REFUSAL, "value": "[redacted]"}
    ]
    inner = json.dumps({"type": "RegisterRequest", "data": {"username": ["\ud800"]}})
    response = await client.post(
        "/api/v1/validate",
        json={"type": "ValidateRequest", "data": base64.b64encode(inner.encode()).decode()},
    )
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == [
        {"field": "data.username.0", "message": SURROGATE_REFUSAL, "value": "\\ud800"}
    ]


async def test_a_valid_surrogate_pair_is_ordinary_text(client: httpx.AsyncClient) -> None:
    # json.dumps escapes an emoji as a surrogate pair; that is valid text, not a lone surrogate.
    body = json.dumps({"level": "info", "message": "bravo \U0001f44f"}).encode()
    assert b"\\ud83d\\udc4f" in body
    response = await client.post(
        "/api/v1/logs/frontend", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text


# Paging parameters ---------------------------------------------------------------------------

PAGING = ("limit", "offset", "page", "cursor")
HUGE = 10**30
# Values for the required query parameters of paged operations (the search query).
REQUIRED_SAMPLES = {"q": "anything"}


def required_query(app: FastAPI, path: str) -> dict[str, str]:
    operation = app.openapi()["paths"][path]["get"]
    return {
        p["name"]: REQUIRED_SAMPLES[p["name"]]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }


def paged_operations(app: FastAPI) -> list[tuple[str, set[str]]]:
    """(path, paging parameters) of every built GET of the served schema (the contract's and
    our additions) paging by limit/offset/page/cursor."""
    found = []
    for path, item in app.openapi()["paths"].items():
        operation = item.get("get")
        if operation is None or operation.get("operationId") in stub_operation_ids():
            continue
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if names & set(PAGING):
            found.append((path, names & set(PAGING)))
    return found


async def test_every_paged_operation_serves_huge_windows_and_refuses_bad_ones(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await admin(app)

    async def get(url: str, params: dict[str, Any]) -> httpx.Response:
        params = {**required_query(app, path), **params}
        return await client.get(url, params=params, headers=caller.headers)

    track = await create_track(app, caller)
    comment = await create_comment(app, caller, track.id)
    webhook = await create_webhook(app, caller)
    rows = {"users": caller.id, "tracks": track.id, "comments": comment.id, "webhooks": webhook.id}
    operations = paged_operations(app)
    assert len(operations) >= 8, "the served schema lost its paged operations"
    problems = []
    for path, names in operations:
        url = path
        placeholder = re.search(r"/(\w+)/(\{[^}]+\})", path)
        if placeholder is not None:  # the id of the row the path is about
            assert placeholder.group(1) in rows, f"{path}: which row fills its id?"
            url = path.replace(placeholder.group(2), str(rows[placeholder.group(1)]))

        huge = {name: HUGE for name in names & {"limit", "offset", "page"}}
        response = await get(url, huge)
        if response.status_code != 200:
            problems.append(f"{path} {huge}: {response.status_code} {response.text[:200]}")
        elif names & {"offset", "page"}:
            body = response.json()
            if isinstance(body, list):  # a bare array (the marketplace's lists)
                lists = {"": body}
            else:
                lists = {k: v for k, v in body["data"].items() if isinstance(v, list)}
            if not lists or any(lists.values()):
                problems.append(f"{path} {huge}: not an empty page: {lists}")
        below = {"limit": 0, "offset": -1, "page": 0, "cursor": "forged.cursor"}
        for name in names:
            response = await get(url, {name: below[name]})
            fields = [d["field"] for d in response.json().get("error", {}).get("details", [])]
            # A limit below 1 is served as 1 where the contract lists no 400 (clamped_limit).
            clamped = name == "limit" and response.status_code == 200
            if not clamped and (response.status_code != 400 or fields != [name]):
                problems.append(f"{path} {name}={below[name]}: {response.status_code} {fields}")
    assert not problems, "\n".join(problems)
