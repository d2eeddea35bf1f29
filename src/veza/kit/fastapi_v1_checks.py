"""FastAPI's pydantic.v1 checks, made without importing pydantic.v1.

FastAPI refuses pydantic.v1 models: declaring a route checks its models with
``isinstance``/``issubclass`` against ``pydantic.v1.BaseModel``, importing ``pydantic.v1``
(23 modules, 1.5 MiB resident in the serving process) to do so, although Veza has no
pydantic.v1 model. A pydantic.v1 model exists only once ``pydantic.v1`` has been imported by
whoever made it, so the checks answer no while it is not in ``sys.modules`` and ask FastAPI's
own check otherwise: the same answers. Installed on import, which ``veza.app`` does before any
router module declares a route (docs/PERFORMANCE.md, "Lean processes").
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from fastapi import encoders


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # another FastAPI layout: its checks are left as they are
        return None


shared = _module("fastapi._compat.shared")


def _unless_v1_absent(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def lean_check(value: Any) -> bool:
        return "pydantic.v1" in sys.modules and check(value)

    lean_check.__wrapped__ = check  # type: ignore[attr-defined]
    return lean_check


def _install(module: ModuleType | None, name: str) -> None:
    check = getattr(module, name, None)
    if check is not None and not hasattr(check, "__wrapped__"):
        setattr(module, name, _unless_v1_absent(check))


# annotation_is_pydantic_v1 (route declarations) looks is_pydantic_v1_model_class up in its
# module; jsonable_encoder calls its own imported name of the instance check.
_install(shared, "is_pydantic_v1_model_class")
_install(shared, "is_pydantic_v1_model_instance")
_install(encoders, "is_pydantic_v1_model_instance")
