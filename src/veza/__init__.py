"""Veza: a self-hostable music platform backend (Veza Backend API v1.2.0)."""

import sys

__version__ = "1.2.0"
API_PREFIX = "/api/v1"  # every route of the contract is under it


def _import_structlog_without_rich() -> None:
    """structlog imports rich (3.6 MiB resident with pygments) whenever it is installed, only
    for the tracebacks of its console renderer; Veza's logs turn tracebacks into text before any
    renderer (kit/logging.py), so structlog is imported as if rich were absent. rich itself stays
    importable afterwards (the progress bar of `veza import`)."""
    if "structlog" in sys.modules or "rich" in sys.modules:
        return
    sys.modules["rich"] = None  # type: ignore[assignment]  # `import rich` raises ImportError
    try:
        import structlog.dev  # noqa: F401
    finally:
        del sys.modules["rich"]


_import_structlog_without_rich()
