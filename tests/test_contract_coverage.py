"""Every contract operation is routed, with the contract's parameters and responses; stubs
answer 501."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.contract import (
    BASE_PATH,
    DOCUMENTED_EXTRA_STATUSES,
    Operation,
    implemented,
    is_implemented,
    load_spec,
    operations,
    operations_in,
    served_key,
    served_operation,
)
from tests.factories import auth_headers, create_user
from veza.kit.openapi import CONTRACT_RESPONSES

# Where our declaration knowingly differs from the contract's parameter list, and why.
PARAMETER_EXCEPTIONS: dict[tuple[str, str, str], str] = {
    # The accounts issue also takes ?token= (deprecated) so the header cannot be mandatory.
    ("POST /api/v1/auth/verify-email", "X-Verify-Token", "header"): "required=false",
}


def _declared_parameters(served: dict[str, Any], app: FastAPI) -> dict[tuple[str, str], bool]:
    declared: dict[tuple[str, str], bool] = {}
    for param in served.get("parameters", []):
        declared[(param["name"], param["in"])] = bool(param.get("required", False))
    body = served.get("requestBody")
    if body:
        content = body.get("content", {})
        if "multipart/form-data" in content or "application/x-www-form-urlencoded" in content:
            form = (
                content.get("multipart/form-data") or content["application/x-www-form-urlencoded"]
            )
            schema = _resolve(form["schema"], app)
            for name in schema.get("properties", {}):
                declared[(name, "formData")] = name in schema.get("required", [])
        else:
            declared[("", "body")] = bool(body.get("required", False))
    return declared


def _resolve(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    if "$ref" in schema:
        resolved: dict[str, Any] = app.openapi()["components"]["schemas"][
            schema["$ref"].split("/")[-1]
        ]
        return resolved
    return schema


def test_every_contract_operation_is_routed_with_its_parameters(app: FastAPI) -> None:
    problems: list[str] = []
    for operation in operations():
        served = served_operation(app, operation)
        if served is None:
            problems.append(f"{operation.key}: not routed")
            continue
        declared = _declared_parameters(served, app)
        for param in operation.spec.get("parameters", []):
            name, where, required = param["name"], param["in"], param.get("required", False)
            if where == "body":
                if ("", "body") not in declared:
                    problems.append(f"{operation.key}: body not declared")
                elif required and not declared[("", "body")]:
                    problems.append(f"{operation.key}: body should be required")
                continue
            if (name, where) not in declared:
                problems.append(f"{operation.key}: {where} parameter {name} not declared")
                continue
            exception = PARAMETER_EXCEPTIONS.get((operation.key, name, where))
            if declared[(name, where)] != required and exception is None:
                problems.append(
                    f"{operation.key}: {where} parameter {name} required={declared[(name, where)]}"
                )
        if operation.spec.get("tags") != served.get("tags"):
            problems.append(
                f"{operation.key}: tags {served.get('tags')} != {operation.spec.get('tags')}"
            )
    assert problems == []


def test_served_schema_lists_all_125_operations(app: FastAPI) -> None:
    schema = app.openapi()
    served = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    contract = {op.key for op in operations()}
    assert len(contract) == 125
    assert contract <= served, sorted(contract - served)


def _sample(schema: dict[str, Any], definitions: dict[str, Any]) -> Any:
    """A minimal value that satisfies a contract schema (to get past request validation)."""
    if "$ref" in schema:
        return _sample(definitions[schema["$ref"].split("/")[-1]], definitions)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: _sample(prop, definitions)
            for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return [
            _sample(schema.get("items", {}), definitions) for _ in range(schema.get("minItems", 0))
        ]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    return "x" * max(12, schema.get("minLength", 0))


def _request_for(operation: Operation, definitions: dict[str, Any]) -> dict[str, Any]:
    path = operation.served_path
    params: dict[str, Any] = {}
    headers: dict[str, str] = {}
    body: Any = None
    files: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for param in operation.spec.get("parameters", []):
        name, where = param["name"], param["in"]
        if where == "path":
            path = path.replace("{" + name + "}", str(uuid.uuid4()))
        elif where == "query" and param.get("required"):
            params[name] = "x"
        elif where == "header" and param.get("required"):
            headers[name] = "x" * 20
        elif where == "body":
            body = _sample(param["schema"], definitions)
        elif where == "formData":
            if param["type"] == "file":
                files[name] = ("a.mp3", b"\x00" * 16, "audio/mpeg")
            else:
                data[name] = "1" if param["type"] == "integer" else str(uuid.uuid4())
    request: dict[str, Any] = {"url": path, "params": params, "headers": headers}
    if files:
        request.update(files=files, data=data)
    elif body is not None:
        request["json"] = body
    return request


async def test_stubs_answer_501_in_the_envelope_and_coverage_is_reported(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await create_user(app)
    definitions = load_spec()["definitions"]
    stubs = [op for op in operations() if not is_implemented(app, op)]
    for operation in stubs:
        request = _request_for(operation, definitions)
        request["headers"].update(await auth_headers(app, user))
        response = await client.request(operation.method, **request)
        assert response.status_code == 501, (operation.key, response.text)
        body = response.json()
        assert body["success"] is False and body["error"]["code"] == "NOT_IMPLEMENTED"
    done = len(implemented(app))
    assert done + len(stubs) == 125
    print(f"\ncontract coverage: {done}/125 implemented")


@pytest.mark.parametrize(
    "operation", [op for op in operations() if op.spec.get("security")], ids=str
)
async def test_secured_operations_refuse_a_missing_token(
    client: httpx.AsyncClient, operation: Operation
) -> None:
    request = _request_for(operation, load_spec()["definitions"])
    response = await client.request(operation.method, **request)
    assert response.status_code == 401, (operation.key, response.text)
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


ERROR_ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}


async def _served_schema(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(f"{BASE_PATH}/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def _response_problems(operation: Operation, served: dict[str, Any]) -> list[str]:
    """Where the served responses of ``operation`` differ from the contract's list (plus the
    documented extras): a status missing or described otherwise, an error not in the envelope,
    a success without its model, a status nobody documented."""
    problems: list[str] = []
    responses: dict[str, Any] = served["responses"]
    for status, description in operation.responses.items():
        response = responses.get(status)
        if response is None:
            problems.append(f"{operation.key}: {status} is not served")
            continue
        if response["description"] != description:
            problems.append(f"{operation.key}: {status} says {response['description']!r}")
        if int(status) >= 400:
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema != ERROR_ENVELOPE:
                problems.append(f"{operation.key}: {status} is not the error envelope")
        elif int(status) < 300 and not response.get("content"):
            problems.append(f"{operation.key}: {status} has no model")
    documented = {str(status) for status in DOCUMENTED_EXTRA_STATUSES.get(operation.key, {})}
    for status in sorted(set(responses) - set(operation.responses) - documented):
        problems.append(f"{operation.key}: {status} is served but listed nowhere")
    return problems


async def test_every_operation_serves_the_contracts_responses(client: httpx.AsyncClient) -> None:
    served = operations_in(await _served_schema(client))
    problems: list[str] = []
    for operation in operations():
        problems += _response_problems(operation, served[served_key(operation)])
    assert problems == []


async def test_no_operation_serves_a_422_and_errors_are_the_envelope(
    client: httpx.AsyncClient,
) -> None:
    schema = await _served_schema(client)
    served = operations_in(schema)
    assert [key for key, operation in served.items() if "422" in operation["responses"]] == []
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["properties"]) == {"success", "error"}
    info = schema["components"]["schemas"]["ErrorInfo"]
    assert set(info["properties"]) == {"code", "message", "details"}
    # Operations beyond the contract say 400 where FastAPI would have said 422.
    contract = {served_key(operation) for operation in operations()}
    for key, operation in served.items():
        if key not in contract and (operation.get("parameters") or operation.get("requestBody")):
            assert operation["responses"]["400"]["content"]["application/json"]["schema"] == (
                ERROR_ENVELOPE
            ), key


def test_the_apps_copy_of_the_contracts_responses_is_the_contract() -> None:
    """The app serves the table in veza/kit/openapi.py, not the contract file (absent at run
    time); this keeps the two equal."""
    contract = {
        f"{op.method} {op.served_path.removeprefix(BASE_PATH)}": {
            int(status): text for status, text in op.responses.items()
        }
        for op in operations()
    }
    assert contract == CONTRACT_RESPONSES
