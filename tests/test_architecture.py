"""The conventions of docs/ARCHITECTURE.md that a test can hold: route order, the job and
subscriber registry, and where tracks are selected for a caller. (The domain DAG is checked by
import-linter in `make lint`.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.routing import Route

from veza import registry
from veza.kit.jobs import registered_tasks

SOURCE = Path(registry.__file__).parent
_PARAMETER = re.compile(r"^\{[^}]+\}$")


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/")


def _shadows(earlier: str, later: str) -> bool:
    """A request for ``later``'s path could be taken by ``earlier``: same length, and every
    segment of ``earlier`` is a parameter or the same literal, with at least one parameter where
    ``later`` has a literal."""
    first, second = _segments(earlier), _segments(later)
    if len(first) != len(second) or first == second:
        return False
    wider = False
    for a, b in zip(first, second, strict=True):
        if a == b:
            continue
        if not _PARAMETER.match(a) or a.endswith(":path}"):
            return False
        if not _PARAMETER.match(b):
            wider = True
    return wider


def _routes_in_order(routes: list[Any], prefix: str = "") -> list[tuple[str, set[str]]]:
    """(path, methods) of every route in matching order, included routers unfolded."""
    found: list[tuple[str, set[str]]] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found += _routes_in_order(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route):
            found.append((prefix + route.path, set(route.methods or ())))
    return found


def test_no_parameterised_route_shadows_a_static_one(app: FastAPI) -> None:
    routes = _routes_in_order(list(app.routes))
    assert len(routes) > 125  # every operation of the contract, and the platform routes
    shadowed = [
        f"{method} {later} is taken by {earlier}"
        for index, (later, later_methods) in enumerate(routes)
        for earlier, earlier_methods in routes[:index]
        for method in sorted(later_methods & earlier_methods)
        if _shadows(earlier, later)
    ]
    assert shadowed == []


def test_the_shadow_check_would_see_a_misordered_route() -> None:
    assert _shadows("/api/v1/tracks/{id}", "/api/v1/tracks/search")
    assert not _shadows("/api/v1/tracks/search", "/api/v1/tracks/{id}")
    assert not _shadows("/api/v1/tracks/{id}/like", "/api/v1/tracks/{id}/likes")


def test_every_tasks_and_subscribers_module_is_in_the_registry() -> None:
    declared = {
        ".".join(("veza", *path.relative_to(SOURCE).with_suffix("").parts))
        for pattern in ("*/tasks.py", "*/subscribers.py")
        for path in SOURCE.glob(pattern)
    }
    listed = {module.__name__ for module in registry.MODULES}
    assert declared - listed == set()
    assert "veza.kit.files" in listed  # the file outbox's sweep


def test_the_registry_registers_every_job_the_domains_enqueue(app: FastAPI) -> None:
    from veza.kit.files import SWEEP_FILES
    from veza.media.service import PROCESS_TRACK
    from veza.uploads.tasks import EXPIRE_UPLOADS

    assert {PROCESS_TRACK, SWEEP_FILES, EXPIRE_UPLOADS} <= set(registered_tasks())


def test_tracks_are_selected_for_a_caller_only_by_the_catalog_repository() -> None:
    """The visibility rule lives in tracks/repository.py (media/repository.py selects tracks
    for jobs); every other module goes through tracks.access or its statements."""
    allowed = {SOURCE / "tracks" / "repository.py", SOURCE / "media" / "repository.py"}
    pattern = re.compile(r"select\(Track\)|Track\.deleted_at")
    offenders = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if path not in allowed and "migrations" not in path.parts
        if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_the_operation_map_lists_every_served_operation(app: FastAPI) -> None:
    """docs/ARCHITECTURE.md leads from an operation to its router, service and repository."""
    document = (SOURCE.parents[1] / "docs" / "ARCHITECTURE.md").read_text()
    missing = [
        f"{method} {path}"
        for path, methods in _routes_in_order(list(app.routes))
        if path.startswith("/api/v1/") and "/docs" not in path and "openapi" not in path
        for method in sorted(methods - {"HEAD"})
        if f"| `{method} {path.removeprefix('/api/v1')}` |" not in document
    ]
    assert missing == []
