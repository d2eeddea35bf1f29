"""Helpers for declaring routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.routing import APIRoute

F = TypeVar("F", bound=Callable[..., Any])

# Names of the endpoints of contract operations that are declared but not built.
_STUB_ENDPOINTS: set[str] = set()


def not_implemented(endpoint: F) -> F:
    """Mark a contract operation whose issue has not landed; its body raises NotImplementedYet.

    The served schema names each operation after its endpoint function (see operation_id), so the
    contract-coverage test can tell stubs from implemented operations without guessing.
    """
    _STUB_ENDPOINTS.add(endpoint.__name__)
    return endpoint


def stub_operation_ids() -> frozenset[str]:
    return frozenset(_STUB_ENDPOINTS)


def operation_id(route: APIRoute) -> str:
    """operationId of a route in the served schema: its endpoint's name, e.g. post_auth_register.

    Endpoint names are derived from method and path, so they are unique across the API.
    """
    return route.name
