"""A module imported on first use, for heavy libraries only some code paths need: PyAV and
numpy (the API process probes uploads with PyAV, only processing decodes with numpy), httpx
(webhook deliveries), redis (only with VEZA_REDIS_URL). docs/PERFORMANCE.md "Lean processes"
has what each costs in resident memory."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for module ``name``; the first attribute read imports it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)
